"""Placeholder allocation: one table of `#n` names and `:v` values per request.

>>> placeholders = Placeholders()
>>> placeholders.path(("prefs", "theme", 0))
'#n0.#n1[0]'
>>> placeholders.path(("prefs",))
'#n0'
"""

from __future__ import annotations

from typing import Any

from bloopfp import limits
from bloopfp.paths import Segment
from bloopfp.types import AttributeValue


class Placeholders:
    """Allocates placeholders for one request while its expressions are compiled.

    Names are de-duplicated and numbered `#n0, #n1, ...` in order of first use. Values are numbered
    `:v0, :v1, ...` in order of use. Only what an expression uses is allocated, so every placeholder
    is defined and used exactly as DynamoDB requires. The object is local to one compilation,
    and every expression of a request shares it, so a name used twice has one placeholder.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._values: dict[str, AttributeValue] = {}

    def name(self, attribute_name: str) -> str:
        placeholder = self._names.get(attribute_name)
        if placeholder is None:
            placeholder = f"#n{len(self._names)}"
            self._names[attribute_name] = placeholder
        return placeholder

    def value(self, attribute_value: AttributeValue) -> str:
        placeholder = f":v{len(self._values)}"
        self._values[placeholder] = attribute_value
        return placeholder

    def path(self, segments: tuple[Segment, ...]) -> str:
        """Return a document path with a name placeholder for every name segment."""
        text = ""
        for segment in segments:
            if isinstance(segment, int):
                text += f"[{segment}]"
            else:
                text += ("." if text else "") + self.name(segment)
        return text

    def add_to(self, params: dict[str, Any]) -> dict[str, Any]:
        """Add ExpressionAttributeNames and ExpressionAttributeValues when any were allocated.

        Raises InvalidRequest when they exceed DynamoDB's 2 MB limit on substitutions.
        """
        limits.check_substitutions(
            {placeholder: name for name, placeholder in self._names.items()}, self._values
        )
        if self._names:
            params["ExpressionAttributeNames"] = {
                placeholder: name for name, placeholder in self._names.items()
            }
        if self._values:
            params["ExpressionAttributeValues"] = dict(self._values)
        return params
