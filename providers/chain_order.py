"""ChainOrder: keep our firewall rules in a wanted order, contiguous, at a place in their chain.

RouterOS evaluates a chain top to bottom, and rules created in parallel land in any order. This
resource owns no router object: it owns the *order* of rules other resources created. Create and
update read the menu once and issue the fewest `move` commands, none or one with a list of
rules (`providers.move_plan`); read (refresh) reports order drift; delete leaves the rules where
they are.

Outputs repeat the inputs and add what the router shows:
- `observed_ids`: our rule ids in the order the chain holds them (a rule gone from the chain is
  missing from it);
- `drift`: why the chain is not as wanted, one sentence per problem; empty when it is;
- `rule_tags`: the ownership tag of each rule in `rule_ids` (None for a rule without one), so
  that read can follow the rules to their new `.id`s after a reboot renumbered them. Read then
  returns `rule_ids` with the new ids (inputs and outputs), which is what the rule resources'
  refreshed ids give the program: the next `up` plans no change.
Diff reports a change when the inputs changed or the last read saw drift, so after a refresh that
found rules out of order the next `up` shows an update and the update moves them back.

The module and class names are a stable interface (providers are pickled by reference).
"""

from __future__ import annotations

import re
from typing import Any, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from providers import errors
from providers.connection import RouterSettings, client_for, password_source
from providers.dynamic_resource import RouterResource
from providers.move_plan import (
    ListMove,
    Move,
    MovePlanError,
    Rule,
    apply_list_moves,
    plan_list_moves,
    plan_moves,
)
from providers.normalise import text
from providers.router_input import router_target
from providers.schemas._firewall import name_like
from providers.schemas.base import is_unknown
from routeros_vocabulary.tags import split_comment

# A RouterOS item id; anything else would be sent inside `=numbers=` (a comma names two rules).
_RULE_ID = re.compile(r"\*[0-9A-Fa-f]{1,16}")
INPUTS = ("router", "path", "chain", "rule_ids", "position", "before_comment")
OUTPUTS = ("observed_ids", "drift", "rule_tags")


class ChainOrderError(errors.ProviderError):
    """The wanted order cannot be applied; the message names the menu, the chain and the rule."""


class ChainOrderSpec(BaseModel):
    """The validated inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    router: RouterSettings
    path: Literal["/ip/firewall/mangle", "/ip/firewall/nat"]
    chain: str = Field(min_length=1)
    rule_ids: list[str]
    position: Literal["top", "bottom", "before"] = "top"
    before_comment: str | None = None

    @model_validator(mode="after")
    def _anchor_matches_position(self) -> ChainOrderSpec:
        if self.position == "before" and not self.before_comment:
            raise ValueError("position 'before' needs before_comment (the anchor rule's comment)")
        if self.position != "before" and self.before_comment is not None:
            raise ValueError("before_comment is only used with position 'before'")
        return self

    @field_validator("chain")
    @classmethod
    def _chain_name(cls, chain: str) -> str:
        return name_like(chain, what="chain name")

    @field_validator("before_comment")
    @classmethod
    def _comment_text(cls, comment: str | None) -> str | None:
        # Compared with comments as the router holds them, which is ASCII when we wrote them.
        return None if comment is None else text(comment)

    @field_validator("rule_ids")
    @classmethod
    def _distinct(cls, rule_ids: list[str]) -> list[str]:
        wrong = [rid for rid in rule_ids if not _RULE_ID.fullmatch(rid)]
        if wrong:
            raise ValueError(f"{', '.join(repr(w) for w in wrong[:3])}: not rule ids; pass the "
                             "rule resources' ids (`rule.id`, like *1A)")
        twice = sorted({rid for rid in rule_ids if rule_ids.count(rid) > 1})
        if twice:
            raise ValueError(f"rule_ids lists {', '.join(twice)} more than once")
        return rule_ids

    def as_inputs(self) -> dict[str, Any]:
        return {
            "router": self.router.as_inputs(),
            "path": self.path,
            "chain": self.chain,
            "rule_ids": list(self.rule_ids),
            "position": self.position,
            "before_comment": self.before_comment,
        }

    @property
    def where(self) -> str:
        return f"{self.path} chain {self.chain}"


def _inputs_of(props: dict[str, Any]) -> dict[str, Any]:
    return {key: props.get(key) for key in INPUTS if props.get(key) is not None}


def _spec(props: dict[str, Any]) -> ChainOrderSpec:
    """The validated inputs of create, update and read; `ChainOrderError` when they are not
    valid (check reports the same problems as failures, so only a skipped check gets here)."""
    try:
        return ChainOrderSpec.model_validate(_inputs_of(props))
    except ValidationError as exc:
        reasons = "; ".join(f"{f.property}: {f.reason}" for f in _failures(exc))
        raise ChainOrderError(f"invalid ChainOrder inputs: {reasons}") from None


def _normalised(props: dict[str, Any]) -> dict[str, Any]:
    """Inputs in their checked form (defaults filled), or as given when unknown or invalid."""
    inputs = _inputs_of(props)
    if is_unknown(inputs):
        return inputs
    try:
        return ChainOrderSpec.model_validate(inputs).as_inputs()
    except ValidationError:
        return inputs


def _failures(error: ValidationError) -> list[CheckFailure]:
    failures = []
    for item in error.errors():
        # Errors of the model as a whole are about the anchor.
        field = str(item["loc"][0]) if item["loc"] else "before_comment"
        failures.append(CheckFailure(field, item["msg"].removeprefix("Value error, ")))
    return failures


class _Observation:
    """One chain as printed, seen through the wanted order."""

    def __init__(self, spec: ChainOrderSpec, rows: list[dict[str, str]],
                 known_tags: dict[str, str | None] | None = None) -> None:
        self.spec = spec
        # The ownership tag each rule id had when last seen, to say why a rule is not found.
        self.known_tags = known_tags or {}
        self.chain_of = {row[".id"]: row.get("chain", "") for row in rows}
        in_chain = [row for row in rows if row.get("chain") == spec.chain]
        self.rules = [Rule(row[".id"], row.get("dynamic") in ("true", "yes")) for row in in_chain]
        self.comments = {row[".id"]: row.get("comment", "") for row in in_chain}
        wanted = set(spec.rule_ids)
        self.observed_ids = [rule.id for rule in self.rules if rule.id in wanted]

    def problems(self) -> list[str]:
        """What stands in the way of planning at all: missing rules, a missing anchor."""
        problems = []
        for rid in self.spec.rule_ids:
            if rid not in self.chain_of:
                problems.append(self._missing(rid))
            elif self.chain_of[rid] != self.spec.chain:
                problems.append(
                    f"rule {rid} is in chain {self.chain_of[rid]}, not {self.spec.chain}")
        if self.spec.position == "before":
            try:
                self.anchor()
            except ChainOrderError as exc:
                problems.append(str(exc).removeprefix(f"{self.spec.where}: "))
        return problems

    def _missing(self, rid: str) -> str:
        """Why rule `rid` is not in the menu, as far as the router can tell: `.id`s change when
        it reboots, so a missing id alone does not mean a missing rule."""
        tag = self.known_tags.get(rid)
        if tag:
            return (f"rule {rid} is not in {self.spec.path} and no single rule carries its tag "
                    f"[lb:{tag}] (removed or re-tagged on the router): run `pulumi refresh`, "
                    "then `pulumi up` recreates it")
        return (f"rule {rid} is not in {self.spec.path}: its id may have changed (a reboot "
                "renumbers every rule) or it was removed; run `pulumi refresh` to find it again "
                "by its ownership tag")

    def anchor(self) -> str | None:
        spec = self.spec
        if spec.position != "before":
            return None
        wanted = set(spec.rule_ids)
        found = [
            rule.id for rule in self.rules
            if self.comments[rule.id] == spec.before_comment and rule.id not in wanted
        ]
        if not found:
            raise ChainOrderError(f"{spec.where}: no rule has the comment {spec.before_comment!r}")
        if len(found) > 1:
            raise ChainOrderError(
                f"{spec.where}: rules {', '.join(found)} all have the comment "
                f"{spec.before_comment!r}; the anchor must be unique"
            )
        return found[0]

    def plan(self) -> list[Move]:
        problems = self.problems()
        if problems:
            raise ChainOrderError(f"{self.spec.where}: " + "; ".join(problems))
        try:
            return plan_moves(self.rules, self.spec.rule_ids, self.spec.position, self.anchor())
        except MovePlanError as exc:
            raise ChainOrderError(f"{self.spec.where}: {exc}") from None

    def list_moves(self) -> list[ListMove]:
        self.plan()  # refuses what cannot be planned, naming the rule
        return plan_list_moves(self.rules, self.spec.rule_ids, self.spec.position, self.anchor())

    def drift(self) -> list[str]:
        problems = self.problems()
        if problems:
            return problems
        moves = self.plan()
        if not moves:
            return []
        if self.observed_ids != self.spec.rule_ids:
            return [f"rules out of order: {len(moves)} move(s) needed"]
        return [f"rules not together at {self._placement()}: {len(moves)} move(s) needed"]

    def _placement(self) -> str:
        if self.spec.position == "before":
            return f"before {self.spec.before_comment!r}"
        return f"the {self.spec.position}"


def _outputs(spec: ChainOrderSpec, observed_ids: list[str], drift: list[str],
             rows: list[dict[str, str]]) -> dict[str, Any]:
    tag_of = {row[".id"]: split_comment(row.get("comment"))[1] for row in rows}
    return {**spec.as_inputs(), "observed_ids": observed_ids, "drift": drift,
            "rule_tags": [tag_of.get(rid) for rid in spec.rule_ids]}


def _known_tags(props: dict[str, Any]) -> dict[str, str | None]:
    """The ownership tag of each rule id as the last outputs recorded it (`rule_tags`)."""
    return dict(zip(props.get("rule_ids") or [], props.get("rule_tags") or [], strict=False))


def _follow(spec: ChainOrderSpec, props: dict[str, Any],
            rows: list[dict[str, str]]) -> ChainOrderSpec:
    """`spec` with each rule id whose rule no longer carries the tag it had (`rule_tags` of the
    last outputs) replaced by the id of the one rule that does: `.id`s change when the router
    reboots, ownership tags do not, and the old id may by then be another rule's, which must
    not be moved. Ids with no tag known, or no unique match, stay."""
    known = _known_tags(props)
    tag_at = {row[".id"]: split_comment(row.get("comment"))[1] for row in rows}
    by_tag: dict[str, list[str]] = {}
    for rid, tag in tag_at.items():
        if tag:
            by_tag.setdefault(tag, []).append(rid)
    followed = []
    for rid in spec.rule_ids:
        tag = known.get(rid)
        found = by_tag.get(tag, []) if tag and tag_at.get(rid) != tag else []
        followed.append(found[0] if len(found) == 1 else rid)
    if followed == spec.rule_ids or len(set(followed)) != len(followed):
        return spec
    return spec.model_copy(update={"rule_ids": followed})


class ChainOrderProvider(ResourceProvider):
    """The dynamic provider behind `ChainOrder`. Holds no state: the client cache is per process."""

    def configure(self, req: ConfigureRequest) -> None:
        password_source.configure(req)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = _inputs_of(news)
        if is_unknown(inputs):
            return CheckResult(inputs, [])
        try:
            spec = ChainOrderSpec.model_validate(inputs)
        except ValidationError as exc:
            return CheckResult(inputs, _failures(exc))
        return CheckResult(spec.as_inputs(), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old_inputs, new_inputs = _normalised(olds), _normalised(news)
        changed = [key for key in INPUTS if old_inputs.get(key) != new_inputs.get(key)]
        if olds.get("drift"):
            changed.append("drift")
        # Another router replaces; another username or TLS option is the same chain.
        old_router, new_router = old_inputs.get("router"), new_inputs.get("router")
        replaces = ["router"] if router_target(old_router) != router_target(new_router) else []
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = _spec(props)
        return CreateResult(f"{spec.path}:{spec.chain}", self._apply(spec))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(_spec(news), olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        spec = _spec(props)
        # Shares the bulk read of the path with every rule refreshed in this run.
        rows = client_for(spec.router).snapshot(spec.path)
        spec = _follow(spec, props, rows)
        seen = _Observation(spec, rows, _known_tags(props))
        outputs = _outputs(spec, seen.observed_ids, seen.drift(), rows)
        return ReadResult(id_, outputs, spec.as_inputs())

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Leave the rules where they are: they belong to their own resources."""

    @staticmethod
    def _apply(spec: ChainOrderSpec, olds: dict[str, Any] | None = None) -> dict[str, Any]:
        client = client_for(spec.router)
        rows = client.print(spec.path, proplist=[".id", "chain", "dynamic", "comment"])
        if olds:
            # An `up` after a reboot without a refresh: the rules' ids in state are stale.
            spec = _follow(spec, olds, rows)
        seen = _Observation(spec, rows, _known_tags(olds or {}))
        moves = seen.list_moves()
        for move in moves:
            client.move(spec.path, move.rules, move.destination)
        order = apply_list_moves([rule.id for rule in seen.rules], moves)
        wanted = set(spec.rule_ids)
        return _outputs(spec, [rid for rid in order if rid in wanted], [], rows)


class ChainOrder(RouterResource, module="routeros", name="ChainOrder"):
    """Our rules of one chain, in `rule_ids` order, together at `position`.

    `position` is `top` (after the dynamic rules RouterOS keeps at the head), `bottom`, or
    `before` the rule whose comment is `before_comment`. Pass the rule resources' ids
    (`rule.id`) so Pulumi orders this after them.
    """

    observed_ids: pulumi.Output[list[str]]
    drift: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        router: pulumi.Input[RouterSettings | dict[str, Any]],
        path: pulumi.Input[str],
        chain: pulumi.Input[str],
        rule_ids: pulumi.Input[list[pulumi.Input[str]]],
        position: pulumi.Input[str] = "top",
        before_comment: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if isinstance(router, RouterSettings):
            router = router.as_inputs()
        props = {
            "router": router,
            "path": path,
            "chain": chain,
            "rule_ids": rule_ids,
            "position": position,
            "before_comment": before_comment,
            "observed_ids": None,
            "drift": None,
        }
        super().__init__(ChainOrderProvider(), resource_name, props, opts)
