"""The pure compiler: operation values in, low-level client requests out."""

from bloopfp.compiler.requests import Request, compile_operation

__all__ = ["Request", "compile_operation"]
