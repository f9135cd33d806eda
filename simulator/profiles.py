"""RouterOS version profiles: the facts that differ between the versions the simulator plays."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    version: str  # as /system/resource prints it, e.g. "7.20.4 (stable)"
    major: int
    minor: int

    @property
    def number(self) -> tuple[int, int]:
        return (self.major, self.minor)

    @property
    def is_v7(self) -> bool:
        return self.major >= 7

    @property
    def legacy_login(self) -> bool:
        """Before 6.43 the API used an MD5 challenge login."""
        return self.number < (6, 43)

    @property
    def sends_empty(self) -> bool:
        """`!empty` before `!done` on a print that returns nothing, from 7.18."""
        return self.number >= (7, 18)

    @property
    def email_server_key(self) -> str:
        """/tool/e-mail calls the SMTP host `address` before 7.12 and `server` from 7.12."""
        return "server" if self.number >= (7, 12) else "address"

    @property
    def unknown_parameter_names_it(self) -> bool:
        return self.is_v7

    @property
    def iso_dates(self) -> bool:
        return self.number >= (7, 10)


PROFILES: dict[str, Profile] = {
    "6.40": Profile("6.40.9 (bugfix)", 6, 40),
    "6.49": Profile("6.49.18 (long-term)", 6, 49),
    "7.11": Profile("7.11.3 (stable)", 7, 11),
    "7.16": Profile("7.16.2 (stable)", 7, 16),
    "7.20": Profile("7.20.4 (stable)", 7, 20),
}
DEFAULT_PROFILE = "7.20"


def profile(name: str) -> Profile:
    """Look a profile up by `6.49`, `7.20` or a full version such as `7.20.4`."""
    for key, candidate in PROFILES.items():
        if name == key or candidate.version.split()[0] == name:
            return candidate
    raise ValueError(f"unknown RouterOS version {name!r}; known: {', '.join(PROFILES)}")
