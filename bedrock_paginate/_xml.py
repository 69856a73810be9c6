"""XML answers of AWS query-protocol services (STS), read safely into plain dicts (pure).

:func:`parse_xml` refuses what a query-protocol answer never contains and an attacker would use:
a document type declaration (and with it every entity declaration: no entity expansion, no
external entities), and bodies over a size cap. It uses the standard library's expat parser
directly, whose handlers see the declarations whatever the document's encoding, so a UTF-16
``<!DOCTYPE`` cannot slip past a byte search.

:func:`element_dict` turns an element into botocore's shape for the members we read: an element
with children becomes a dict keyed by local names (namespaces dropped), a leaf its text.

Imports only the standard library, attrs and ``errors``; no I/O.
"""

from __future__ import annotations

from typing import Any

import attrs

from .errors import DecodeError

__all__ = ["MAX_XML_BYTES", "XmlElement", "element_dict", "parse_xml"]

#: Larger bodies are refused (an STS answer is about 2 KB).
MAX_XML_BYTES = 1024 * 1024
#: Deeper nesting is refused (STS answers are four levels deep).
_MAX_DEPTH = 32


@attrs.define(kw_only=True)
class XmlElement:
    """One element: local name, text (stripped), children in document order."""

    tag: str
    text: str = ""
    children: list[XmlElement] = attrs.field(factory=list)

    def find(self, *path: str) -> XmlElement | None:
        """The first descendant along ``path`` (local names), or ``None``."""
        node: XmlElement | None = self
        for name in path:
            assert node is not None
            node = next((child for child in node.children if child.tag == name), None)
            if node is None:
                return None
        return node

    def text_of(self, *path: str) -> str | None:
        """The text of the element at ``path``, or ``None`` when it is absent."""
        node = self.find(*path)
        return None if node is None else node.text


def _local(name: str) -> str:
    """``{namespace} local`` (expat's form with a space separator) -> ``local``."""
    return name.rpartition(" ")[2]


def parse_xml(body: bytes, *, max_bytes: int = MAX_XML_BYTES) -> XmlElement:
    """The root element of ``body``.

    Raises:
        DecodeError: too large, not well-formed, deeper than 32 levels, or with a DOCTYPE /
            entity declaration (the message says which, never quoting the body).
    """
    import xml.parsers.expat

    if len(body) > max_bytes:
        raise DecodeError(f"the XML answer is larger than {max_bytes} bytes")
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[XmlElement] = []
    texts: list[list[str]] = []
    root: list[XmlElement] = []

    def refuse(*_: object) -> None:
        raise DecodeError("the XML answer has a document type or entity declaration; refused")

    def start(name: str, _attributes: dict[str, str]) -> None:
        if len(stack) >= _MAX_DEPTH:
            raise DecodeError(f"the XML answer is nested more than {_MAX_DEPTH} levels deep")
        element = XmlElement(tag=_local(name))
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)
        texts.append([])

    def end(_name: str) -> None:
        element = stack.pop()
        element.text = "".join(texts.pop()).strip()

    def data(text: str) -> None:
        if texts:
            texts[-1].append(text)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.SkippedEntityHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(bytes(body), True)
    except xml.parsers.expat.ExpatError as exc:
        raise DecodeError(
            f"the answer is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)})"
        ) from None
    if not root:
        raise DecodeError("the answer holds no XML element")
    return root[0]


def element_dict(element: XmlElement) -> Any:
    """botocore's shape: a dict of the children (by local name), or the text of a leaf."""
    if not element.children:
        return element.text
    return {child.tag: element_dict(child) for child in element.children}
