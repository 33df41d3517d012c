"""Just enough of a DOM, from the standard library's parser, to assert on generated pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID_ELEMENTS = {"meta", "link", "input", "br", "img", "hr", "source", "col", "wbr"}


@dataclass
class Element:
    name: str
    attributes: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, name: str | None = None, **attributes: str) -> list[Element]:
        """Descendants with the tag name and attributes (`data_x` means `data-x`); `class_`
        matches elements that have each of its classes, among others."""
        wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items()}
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (name is None or child.name == name) and all(
                _matches(child.attributes, key, value) for key, value in wanted.items()
            ):
                found.append(child)
            found += child.find_all(name, **attributes)
        return found

    def find(self, name: str | None = None, **attributes: str) -> Element:
        matches = self.find_all(name, **attributes)
        assert len(matches) == 1, f"expected one <{name} {attributes}>, found {len(matches)}"
        return matches[0]


def _matches(attributes: dict[str, str], key: str, value: str) -> bool:
    if key == "class":
        return set(value.split()) <= set(attributes.get("class", "").split())
    return attributes.get(key) == value


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {key: value or "" for key, value in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].name == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse(path: Path) -> Element:
    return parse_text(path.read_text(encoding="utf-8"))


def parse_text(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def department_section(path: Path) -> Element:
    """The section an explorer's department data file (`bangfuDepartment(stem, html);`) holds."""
    text = path.read_text(encoding="utf-8")
    prefix = "bangfuDepartment("
    assert text.startswith(prefix) and text.rstrip().endswith(");"), path
    _stem, html = json.loads("[" + text.strip()[len(prefix):-2] + "]")
    return parse_text(html).find("section", class_="department-section")


def figure_specs(page: Element) -> dict[str, dict]:
    """The plotly figure specs embedded in a page, by plot element id."""
    specs = {}
    for plot in page.find_all("div", class_="plot"):
        script = page.find("script", id=plot.attributes["data-figure-spec"])
        specs[plot.attributes["id"]] = json.loads(script.text())
    return specs
