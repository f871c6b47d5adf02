"""Recursive-descent parser for DynamoDB expressions.

Precedence follows the DynamoDB Developer Guide ("Precedence in conditions"): comparisons, IN,
BETWEEN and functions bind tightest, then parentheses, then NOT, then AND, then OR. Placeholders
are resolved while parsing, so the tree contains attribute names and values, never placeholders.
"""

from __future__ import annotations

from bloopfp.executors.memory import lexer
from bloopfp.executors.memory.errors import RequestRejected, invalid
from bloopfp.executors.memory.lexer import Token
from bloopfp.executors.memory.nodes import (
    Action,
    And,
    Arithmetic,
    Between,
    Comparison,
    Condition,
    Function,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Operand,
    Or,
    Path,
    PathElement,
    Size,
    Value,
)
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.reserved import is_reserved
from bloopfp.executors.memory.values import is_ordered_pair, sort_key

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
MAX_IN_OPTIONS = 100


def parse_condition(expression: str, label: str, placeholders: Placeholders) -> Condition:
    """Parse a ConditionExpression, FilterExpression or KeyConditionExpression."""
    parser = _Parser(expression, label, placeholders)
    condition = parser.condition()
    parser.expect_end()
    return condition


def parse_projection(expression: str, placeholders: Placeholders) -> tuple[Path, ...]:
    """Parse a ProjectionExpression into its paths, rejecting paths that overlap."""
    parser = _Parser(expression, "ProjectionExpression", placeholders)
    paths = [parser.path()]
    while parser.accept_operator(","):
        paths.append(parser.path())
    parser.expect_end()
    check_no_overlap(paths, "ProjectionExpression")
    return tuple(paths)


def parse_update(expression: str, placeholders: Placeholders) -> tuple[Action, ...]:
    """Parse an UpdateExpression into its actions, in the order they appear."""
    parser = _Parser(expression, "UpdateExpression", placeholders)
    actions: list[Action] = []
    seen: set[str] = set()
    while True:
        clause = parser.clause_keyword()
        if clause in seen:
            raise invalid(
                f'Invalid UpdateExpression: The "{clause}" section can only be used once in an '
                "update expression;"
            )
        seen.add(clause)
        actions.extend(parser.clause_actions(clause))
        if parser.at_end():
            break
    check_no_overlap([action.path for action in actions], "UpdateExpression")
    return tuple(actions)


def check_no_overlap(paths: list[Path], label: str) -> None:
    """Raise a ValidationException when one path equals or contains another."""
    for index, first in enumerate(paths):
        for second in paths[index + 1 :]:
            shorter, longer = sorted((first.elements, second.elements), key=len)
            if longer[: len(shorter)] == shorter:
                raise invalid(
                    f"Invalid {label}: Two document paths overlap with each other; must remove or "
                    f"rewrite one of these paths; path one: {first.show()}, path two: "
                    f"{second.show()}"
                )


class _Parser:
    def __init__(self, expression: str, label: str, placeholders: Placeholders) -> None:
        self.label = label
        self.placeholders = placeholders
        if not expression.strip():
            raise invalid(f"Invalid {label}: The expression can not be empty;")
        self.tokens = lexer.tokenize(expression, label)
        self.position = 0

    # Token stream.

    def peek(self, ahead: int = 0) -> Token:
        index = min(self.position + ahead, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.peek()
        self.position = min(self.position + 1, len(self.tokens) - 1)
        return token

    def at_end(self) -> bool:
        return self.peek().kind == lexer.END

    def accept_operator(self, text: str) -> bool:
        if self.peek().is_operator(text):
            self.advance()
            return True
        return False

    def accept_keyword(self, word: str) -> bool:
        if self.peek().is_keyword(word):
            self.advance()
            return True
        return False

    def expect_operator(self, text: str) -> None:
        if not self.accept_operator(text):
            raise self.syntax_error()

    def expect_end(self) -> None:
        if not self.at_end():
            raise self.syntax_error()

    def syntax_error(self) -> RequestRejected:
        token = self.peek()
        start = max(0, self.position - 1)
        near = " ".join(
            t.text for t in self.tokens[start : self.position + 2] if t.kind != lexer.END
        )
        return invalid(f'Invalid {self.label}: Syntax error; token: "{token.text}", near: "{near}"')

    def function_error(self, problem: str, name: str) -> RequestRejected:
        return invalid(f"Invalid {self.label}: {problem}; function: {name}")

    # Conditions, loosest binding first.

    def condition(self) -> Condition:
        left = self.conjunction()
        while self.accept_keyword("OR"):
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.accept_keyword("AND"):
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.accept_keyword("NOT"):
            return Not(self.negation())
        return self.simple_condition()

    def simple_condition(self) -> Condition:
        if self.accept_operator("("):
            inner = self.condition()
            self.expect_operator(")")
            return inner
        token = self.peek()
        if token.kind == lexer.NAME and self.peek(1).is_operator("(") and token.text != "size":
            return self.condition_function()
        left = self.operand()
        return self.predicate(left)

    def predicate(self, left: Operand) -> Condition:
        token = self.peek()
        if token.kind == lexer.OPERATOR and token.text in COMPARATORS:
            self.advance()
            right = self.operand()
            self.check_distinct(token.text, left, (right,))
            return Comparison(token.text, left, right)
        if self.accept_keyword("BETWEEN"):
            low = self.operand()
            if not self.accept_keyword("AND"):
                raise self.syntax_error()
            high = self.operand()
            self.check_distinct("BETWEEN", left, (low, high))
            self.check_bounds(low, high)
            return Between(left, low, high)
        if self.accept_keyword("IN"):
            return self.in_list(left)
        raise self.syntax_error()

    def check_bounds(self, low: Operand, high: Operand) -> None:
        if not (isinstance(low, Value) and isinstance(high, Value)):
            return
        if is_ordered_pair(low.value, high.value) and sort_key(low.value) > sort_key(high.value):  # type: ignore[operator]
            raise invalid(
                f"Invalid {self.label}: The BETWEEN operator requires upper bound to be greater "
                f"than or equal to lower bound; lower bound operand: AttributeValue: "
                f"{_show_value(low)}, upper bound operand: AttributeValue: {_show_value(high)}"
            )

    def in_list(self, left: Operand) -> Condition:
        self.expect_operator("(")
        options = [self.operand()]
        while self.accept_operator(","):
            options.append(self.operand())
        self.expect_operator(")")
        if len(options) > MAX_IN_OPTIONS:
            raise invalid(
                f"Invalid {self.label}: The IN operator is provided with too many operands; "
                f"number of operands: {len(options)}"
            )
        self.check_distinct("IN", left, tuple(options))
        return In(left, tuple(options))

    def check_distinct(self, operator: str, first: Operand, others: tuple[Operand, ...]) -> None:
        if first in others:
            raise invalid(
                f"Invalid {self.label}: The first operand must be distinct from the remaining "
                f"operands for this operator or function; operator: {operator}, first operand: "
                f"{_show(first)}"
            )

    def condition_function(self) -> Condition:
        name = self.advance().text
        if name in UPDATE_FUNCTIONS:
            raise self.function_error(
                "The function is not allowed to be used this way in an expression", name
            )
        if name not in CONDITION_FUNCTIONS:
            raise self.function_error("Invalid function name", name)
        arguments = self.arguments(name, CONDITION_FUNCTIONS[name])
        self.check_function(name, arguments)
        return Function(name, arguments)

    def arguments(self, name: str, count: int) -> tuple[Operand, ...]:
        self.expect_operator("(")
        arguments = [self.operand()]
        while self.accept_operator(","):
            arguments.append(self.operand())
        self.expect_operator(")")
        if len(arguments) != count:
            raise invalid(
                f"Invalid {self.label}: Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(arguments)}"
            )
        return tuple(arguments)

    def check_function(self, name: str, arguments: tuple[Operand, ...]) -> None:
        first = arguments[0]
        if name in (
            "attribute_exists",
            "attribute_not_exists",
            "attribute_type",
        ) and not isinstance(first, Path):
            raise self.operand_type_error(name, first)
        if name == "attribute_type":
            self.check_type_name(arguments[1])
        if name == "begins_with":
            for argument in arguments:
                if isinstance(argument, Value) and _type(argument) not in ("S", "B"):
                    raise self.operand_type_error(name, argument)
        if name == "contains":
            self.check_distinct(name, first, arguments[1:])

    def check_type_name(self, argument: Operand) -> None:
        if not isinstance(argument, Value) or _type(argument) != "S":
            raise self.operand_type_error("attribute_type", argument)
        type_name = argument.value["S"]
        if type_name not in ATTRIBUTE_TYPES:
            valid = ",".join(ATTRIBUTE_TYPES)
            raise invalid(
                f"Invalid {self.label}: Invalid attribute type name found; type: {type_name}, "
                f"valid types: {{{valid}}}"
            )

    def operand_type_error(self, name: str, operand: Operand) -> RequestRejected:
        kind = _type(operand) if isinstance(operand, Value) else type(operand).__name__.upper()
        return invalid(
            f"Invalid {self.label}: Incorrect operand type for operator or function; operator or "
            f"function: {name}, operand type: {kind}"
        )

    # Operands.

    def operand(self) -> Operand:
        token = self.peek()
        if token.kind == lexer.VALUE_PLACEHOLDER:
            self.advance()
            return Value(token.text, self.placeholders.value(token.text, self.label))
        if token.kind == lexer.NAME and self.peek(1).is_operator("("):
            return self.operand_function()
        return self.path()

    def operand_function(self) -> Operand:
        name = self.advance().text
        if name == "size":
            (argument,) = self.arguments(name, 1)
            if not isinstance(argument, Path):
                raise self.operand_type_error(name, argument)
            return Size(argument)
        if name in CONDITION_FUNCTIONS or name in UPDATE_FUNCTIONS:
            raise self.function_error(
                "The function is not allowed to be used this way in an expression", name
            )
        raise self.function_error("Invalid function name", name)

    def path(self) -> Path:
        elements: list[PathElement] = [self.path_name()]
        while True:
            if self.accept_operator("."):
                elements.append(self.path_name())
            elif self.accept_operator("["):
                token = self.advance()
                if token.kind != lexer.INTEGER:
                    raise invalid(
                        f"Invalid {self.label}: The document path provided in the expression has "
                        "an invalid list index"
                    )
                elements.append(int(token.text))
                self.expect_operator("]")
            else:
                return Path(tuple(elements))

    def path_name(self) -> str:
        token = self.peek()
        if token.kind == lexer.NAME_PLACEHOLDER:
            self.advance()
            return self.placeholders.name(token.text, self.label)
        if token.kind == lexer.NAME:
            if is_reserved(token.text):
                raise invalid(
                    f"Invalid {self.label}: Attribute name is a reserved keyword; reserved "
                    f"keyword: {token.text}"
                )
            self.advance()
            return token.text
        raise self.syntax_error()

    # Update expressions.

    def clause_keyword(self) -> str:
        token = self.peek()
        for clause in CLAUSES:
            if token.is_keyword(clause):
                self.advance()
                return clause
        raise self.syntax_error()

    def clause_actions(self, clause: str) -> list[Action]:
        actions = [self.action(clause)]
        while self.accept_operator(","):
            actions.append(self.action(clause))
        return actions

    def action(self, clause: str) -> Action:
        path = self.path()
        if clause == "REMOVE":
            return Action(clause, path, None)
        if clause == "SET":
            self.expect_operator("=")
            return Action(clause, path, self.set_value())
        token = self.peek()
        if token.kind != lexer.VALUE_PLACEHOLDER:
            raise self.syntax_error()
        self.advance()
        return Action(
            clause, path, Value(token.text, self.placeholders.value(token.text, self.label))
        )

    def set_value(self) -> Operand:
        left = self.set_operand()
        token = self.peek()
        if token.is_operator("+") or token.is_operator("-"):
            self.advance()
            return Arithmetic(token.text, left, self.set_operand())
        return left

    def set_operand(self) -> Operand:
        token = self.peek()
        if token.kind == lexer.VALUE_PLACEHOLDER:
            self.advance()
            return Value(token.text, self.placeholders.value(token.text, self.label))
        if token.kind == lexer.NAME and self.peek(1).is_operator("("):
            return self.update_function()
        return self.path()

    def update_function(self) -> Operand:
        name = self.advance().text
        if name not in UPDATE_FUNCTIONS:
            if name in CONDITION_FUNCTIONS or name == "size":
                raise self.function_error(
                    "The function is not allowed in an update expression", name
                )
            raise self.function_error("Invalid function name", name)
        self.expect_operator("(")
        first = self.set_value() if name == "list_append" else self.path()
        self.expect_operator(",")
        second = self.set_value()
        self.expect_operator(")")
        if name == "list_append":
            return ListAppend(first, second)
        assert isinstance(first, Path)
        return IfNotExists(first, second)


def _type(value: Value) -> str:
    return next(iter(value.value))


def _show(operand: Operand) -> str:
    if isinstance(operand, Path):
        return operand.show()
    if isinstance(operand, Value):
        return operand.placeholder
    return type(operand).__name__.lower()


def _show_value(value: Value) -> str:
    kind = _type(value)
    return f"{{{kind}:{value.value[kind]}}}"
