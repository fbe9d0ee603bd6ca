"""What changed between the kept versions of a report: a plain function over revisions."""

from dataclasses import dataclass, field


@dataclass
class Change:
    version: int
    by: str
    at: object
    fields: list[tuple[str, object, object]] = field(default_factory=list)


def changes(revisions: list, labels: dict[str, str], display=None) -> list[Change]:
    """One Change per revision, oldest first, listing each field whose value differs from the
    previous revision (the first revision lists every filled field, compared with nothing).

    `display(name, value)` turns stored values into what a person reads (choice labels).
    """
    display = display or (lambda name, value: value)
    result, previous = [], {}
    for revision in revisions:
        entry = Change(
            revision.version,
            revision.changed_by.first_name or revision.changed_by.get_username(),
            revision.changed_at,
        )
        for name, label in labels.items():
            old, new = previous.get(name), revision.content.get(name)
            if old != new and not (old is None and new in ("", None)):
                entry.fields.append(
                    (label, display(name, old) if old is not None else "", display(name, new))
                )
        previous = revision.content
        result.append(entry)
    return result


def content_rows(record) -> list[tuple[str, object]]:
    """The record's content fields as (label, value shown) pairs."""
    rows = []
    for name in record.CONTENT_FIELDS:
        field = record._meta.get_field(name)
        value = getattr(record, f"get_{name}_display")() if field.choices else getattr(record, name)
        rows.append((field.verbose_name, value))
    return rows
