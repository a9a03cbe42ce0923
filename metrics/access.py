"""What an account may see: the whole city, some districts, or some streets (default: nothing).

The query layer applies an Access to every statement (metrics.query), the summary to every picker, the
importer to every batch; a view cannot forget it because the Scope carries it into each query.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Access:
    """The places an account may see. Default: none (default deny)."""

    city: bool = False
    districts: tuple[str, ...] = ()
    streets: tuple[tuple[str, str], ...] = ()

    @property
    def everything(self) -> bool:
        """True for the whole city."""
        return self.city

    @property
    def nothing(self) -> bool:
        """True when no place is allowed."""
        return not (self.city or self.districts or self.streets)

    def allows(self, district: object, street: object = None) -> bool:
        """True when rows of this district (and street) may be seen."""
        if self.city:
            return True
        if district in self.districts:
            return True
        return (district, street) in self.streets

    def allows_district(self, district: object) -> bool:
        """True when some of the district may be seen (all of it, or some of its streets)."""
        return self.city or district in self.districts or any(d == district for d, _ in self.streets)

    def whole_district(self, district: object) -> bool:
        """True when the whole district may be seen."""
        return self.city or district in self.districts

    def sql(self, district: str, street: str) -> tuple[str, list[object]]:
        """A SQL condition on the given district and street expressions, with its parameters."""
        if self.city:
            return "TRUE", []
        parts, params = [], []
        if self.districts:
            parts.append(f"{district} IN ({', '.join('?' for _ in self.districts)})")
            params += list(self.districts)
        for d, s in self.streets:
            parts.append(f"({district} = ? AND {street} = ?)")
            params += [d, s]
        return ("(" + " OR ".join(parts) + ")") if parts else "FALSE", params

    def label(self) -> str:
        """The area in words: 全市, 荔城区, 荔城区拱辰街道 …"""
        if self.city:
            return "全市"
        names = list(self.districts) + [f"{d}{s}" for d, s in self.streets]
        return "、".join(names) if names else "无"

    def to_json(self) -> dict:
        """The scope as stored with an account."""
        if self.city:
            return {"city": True}
        return {"districts": list(self.districts), "streets": [list(p) for p in self.streets]}

    @classmethod
    def from_json(cls, data: dict | None) -> "Access":
        """An Access from its stored form (anything unreadable allows nothing)."""
        if not isinstance(data, dict):
            return cls()
        if data.get("city") is True:
            return cls(city=True)
        districts = tuple(str(d) for d in data.get("districts") or () if isinstance(d, str))
        streets = tuple((str(p[0]), str(p[1])) for p in data.get("streets") or ()
                        if isinstance(p, (list, tuple)) and len(p) == 2)
        return cls(False, districts, streets)


EVERYTHING = Access(city=True)
