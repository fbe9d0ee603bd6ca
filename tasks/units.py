"""Reading unit names as the plan spells them.

The ledger spells units inconsistently (发展改革委, 市工业和信息化部, 各县市区委（管委會）,
half-width brackets); every spelling resolves to one canonical Unit through its name or an alias.
"""

import re

# The ledger separates units with 、 and, before the counties, with ，; some cells carry a
# space after the separator ("市科技局、 市财政局").
_SEPARATORS = re.compile(r"[、，,;；]")


class UnknownUnitError(ValueError):
    def __init__(self, name: str):
        super().__init__(f"无法识别的责任单位：“{name}”（请在单位或单位别名中登记）")
        self.name = name


def split_unit_text(text: str) -> list[str]:
    """The unit names in a 责任单位 cell, in order, blanks dropped."""
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


def resolve_unit_names(names: list[str], lookup: dict[str, object]) -> list:
    """Map names to units through `lookup` (canonical names and aliases), keeping the first
    occurrence of each unit: row 8 of the ledger lists 市工业和信息化局 twice."""
    resolved: list = []
    for name in names:
        unit = lookup.get(name)
        if unit is None:
            raise UnknownUnitError(name)
        if unit not in resolved:
            resolved.append(unit)
    return resolved
