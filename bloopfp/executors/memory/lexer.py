"""Tokenizer for DynamoDB's condition, key condition, filter, projection and update expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bloopfp.executors.memory.errors import invalid

NAME = "name"
NAME_PLACEHOLDER = "name_placeholder"
VALUE_PLACEHOLDER = "value_placeholder"
INTEGER = "integer"
OPERATOR = "operator"
END = "end"

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<name_placeholder>\#[A-Za-z0-9_]+)
  | (?P<value_placeholder>:[A-Za-z0-9_]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<integer>[0-9]+)
  | (?P<operator><>|<=|>=|[=<>()\[\],.+\-])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token of an expression, with its offset in the expression text."""

    kind: str
    text: str
    offset: int

    def is_operator(self, text: str) -> bool:
        """Return whether this token is the operator or punctuation `text`."""
        return self.kind == OPERATOR and self.text == text

    def is_keyword(self, word: str) -> bool:
        """Return whether this token is the keyword `word`, ignoring case as DynamoDB does."""
        return self.kind == NAME and self.text.upper() == word


def tokenize(expression: str, label: str) -> list[Token]:
    """Split an expression into tokens, ending with an END token.

    `label` is the request parameter that contains the expression, such as "ConditionExpression",
    and appears in the ValidationException raised for a character no token can start with.
    """
    tokens: list[Token] = []
    offset = 0
    while offset < len(expression):
        match = _TOKEN.match(expression, offset)
        if match is None:
            character = expression[offset]
            near = expression[max(0, offset - 10) : offset + 10]
            raise invalid(
                f'Invalid {label}: Invalid character encountered; token: "{character}", '
                f'near: "{near}"'
            )
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(Token(kind, match.group(), offset))
        offset = match.end()
    tokens.append(Token(END, "<EOF>", len(expression)))
    return tokens
