"""The one JMESPath helper: compile an expression (``PageIterator.search()``, ``--query``) and
evaluate it, turning JMESPath's errors into :class:`ParamValidationError` (a usage error, exit
252 in the CLI) that names the parameter.

jmespath is optional (the ``jmespath`` extra) and imported only when an expression is compiled.
"""

from __future__ import annotations

from typing import Any

from .errors import ParamValidationError

__all__ = ["Expression", "compile_expression"]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


class Expression:
    """A compiled expression whose evaluation errors are the caller's to fix."""

    def __init__(self, compiled: Any, expression: str, param: str) -> None:
        self._compiled = compiled
        self.expression = expression
        self._param = param

    def search(self, value: Any) -> Any:
        """Evaluate the expression on ``value`` (ParamValidationError on a type error)."""
        import jmespath

        try:
            return self._compiled.search(value)
        except jmespath.exceptions.JMESPathError as exc:
            raise ParamValidationError(
                f"{self._param} {self.expression} failed: {_one_line(exc)}", param=self._param
            ) from None


def compile_expression(expression: str, *, param: str = "expression") -> Expression:
    """Compile ``expression``; ``param`` names it in errors (``--query`` in the CLI)."""
    try:
        import jmespath
    except ImportError:
        raise ParamValidationError(
            f"{param} needs the jmespath package, which is not installed: "
            "pip install 'bedrock-paginate[jmespath]'",
            param=param,
        ) from None
    if not isinstance(expression, str):
        raise ParamValidationError(
            f"{param} must be a JMESPath expression (str), got {type(expression).__name__}",
            param=param,
        )
    try:
        compiled = jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise ParamValidationError(
            f"Bad value for {param} {expression}: invalid JMESPath expression: {_one_line(exc)}",
            param=param,
        ) from None
    return Expression(compiled, expression, param)
