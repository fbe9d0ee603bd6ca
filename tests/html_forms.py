"""A page's forms as a screen reader meets them: each field's error found through the field's
own aria-describedby, in the same HTML (tests/test_form_errors.py).

A small tree built with the standard library's HTMLParser: enough for ids, attributes, text
and ancestry, no CSS selectors.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Closed by the next of their kind or by their parent's end, as the HTML parser does.
SELF_CLOSING_ON = {"p": {"p", "div", "ul", "ol", "form", "section", "table", "h1", "h2", "h3"},
                   "li": {"li"}, "option": {"option"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}}  # fmt: skip


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)  # Elements and strings

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def closest(self, tag: str) -> "Element | None":
        return next((a for a in self.ancestors() if a.tag == tag), None)

    def contains(self, other: "Element") -> bool:
        return self in other.ancestors()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        closes = {t for t, by in SELF_CLOSING_ON.items() if tag in by}
        if self.current.tag in closes:
            self.current = self.current.parent
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, html: str):
        builder = _Builder()
        builder.feed(html)
        builder.close()
        self.root = builder.root
        self.elements = list(self.root.iter())
        self.ids: dict[str, Element] = {}
        for element in self.elements:
            if "id" in element.attrs:
                assert element.attrs["id"] not in self.ids, f"duplicate id {element.attrs['id']}"
                self.ids[element.attrs["id"]] = element

    def fields(self, name: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag in {"input", "select", "textarea"}
            and e.get("name") == name
            and e.get("type") != "hidden"
        ]

    def broken_references(self) -> list[str]:
        """aria-describedby, aria-labelledby and label[for] that name an id not on the page."""
        broken = []
        for e in self.elements:
            for attr in ("aria-describedby", "aria-labelledby"):
                for ref in e.get(attr, "").split():
                    if ref not in self.ids:
                        broken.append(f"<{e.tag} {attr}={ref!r}>")
            if e.tag == "label" and e.get("for") and e.get("for") not in self.ids:
                broken.append(f"<label for={e.get('for')!r}>")
        return broken

    def summary(self) -> Element | None:
        return next((e for e in self.elements if "data-error-summary" in e.attrs), None)


def assert_field_error(html: str, name: str, message: str) -> Element:
    """The field named `name` is marked invalid, `message` is in an element its
    aria-describedby names and that stands beside it (in the field's own block), the form
    carries novalidate, and the error summary links to the field with the same message.
    Returns the field."""
    page = Page(html)
    assert page.broken_references() == [], page.broken_references()
    fields = page.fields(name)
    assert len(fields) == 1, f"{len(fields)} fields named {name!r}"
    (element,) = fields
    assert element.get("aria-invalid") == "true", element.attrs
    described = [page.ids[ref] for ref in element.get("aria-describedby", "").split()]
    errors = [d for d in described if message in d.text]
    assert errors, f"no element the field's aria-describedby names says {message!r}: {described}"
    assert errors[0].parent is element.parent, "the error is not in the field's own block"
    form = element.closest("form")
    assert form is not None and "novalidate" in form.attrs, form and form.attrs
    summary = page.summary()
    if summary is not None:
        links = [
            a
            for a in summary.iter()
            if a.tag == "a" and a.get("href") == f"#{element.get('id')}" and message in a.text
        ]
        assert links, f"the error summary has no link to #{element.get('id')} saying {message!r}"
    return element


def assert_summary_says(html: str, message: str) -> Element:
    """A form's error that belongs to no field: in the error summary, focusable."""
    page = Page(html)
    assert page.broken_references() == [], page.broken_references()
    summary = page.summary()
    assert summary is not None, "no error summary"
    assert summary.get("tabindex") == "-1" and message in summary.text, summary.text
    return summary
