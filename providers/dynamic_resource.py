"""`RouterResource`: `pulumi.dynamic.Resource` without the SDK's leak into `pickle`.

Every dynamic resource serialises its provider when it is constructed
(`pulumi.dynamic.dynamic.serialize_provider`, Pulumi 3.272). To sort dictionaries it swaps
`pickle.Pickler` for the pure-Python `pickle._Pickler`, then wraps `pickle.Pickler._batch_setitems`
(by then `_Pickler`'s own) and replaces `save_dict`, but restores only the name `pickle.Pickler`:
the wrapper stays on `pickle._Pickler`, and the next construction wraps the wrapper. After k
resources, saving one dict passes through k nested sorts: program build time grows as N², and
about 1 000 resources end in `RecursionError`.

`RouterResource` puts `_Pickler`'s two methods back after each construction, so every
serialisation wraps exactly once, as the SDK intends, and produces the same bytes. Every resource
class of the providers derives from it; its type token is the subclass's, unchanged.
"""

from __future__ import annotations

import pickle
from typing import Any

import pulumi
from pulumi.dynamic import Resource, ResourceProvider


class RouterResource(Resource):
    """A dynamic resource whose construction leaves `pickle` as it found it."""

    def __init__(self, provider: ResourceProvider, name: str, props: Any,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        pickler: Any = pickle._Pickler  # type: ignore[attr-defined]
        saved = pickler.__dict__["_batch_setitems"], pickler.__dict__["save_dict"]
        try:
            super().__init__(provider, name, props, opts)
        finally:
            pickler._batch_setitems, pickler.save_dict = saved
