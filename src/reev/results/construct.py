"""Records built from values that are already of their fields' types, at a fraction of the
cost of `model_construct`.

An episode builds tens of account states and instruction records from solders values
(str, int, bool) that need no validation. pydantic's `model_construct` skips validation
but still walks every field's aliases and copies every default on each call; for the
plain record models of `reev.results` (no aliases, no private attributes, no
`model_post_init`, extras not kept) that bookkeeping is known once per class.
`trusted(Model)` checks the class has that shape and returns a constructor that gives
the same instance `model_construct` would: every field in order, defaults filled (a
mutable default copied, as pydantic does), `model_fields_set` the names given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)

_IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset)


def trusted(cls: type[M]) -> Callable[..., M]:
    """A `model_construct` for `cls`; TypeError when `cls` is not a plain record model."""
    fields = cls.model_fields
    if (
        cls.__private_attributes__
        or cls.__pydantic_post_init__
        or cls.__pydantic_root_model__
        or cls.model_config.get("extra") == "allow"
        or any(f.alias is not None or f.validation_alias is not None for f in fields.values())
    ):
        raise TypeError(f"{cls.__name__} is not a plain record model")
    names = tuple(fields)
    required = frozenset(name for name, f in fields.items() if f.is_required())
    static = {
        name: f.default
        for name, f in fields.items()
        if f.default_factory is None
        and f.default is not PydanticUndefined
        and isinstance(f.default, _IMMUTABLE)
    }
    computed = {  # factories and mutable defaults: pydantic's own copy, per instance
        name: f for name, f in fields.items() if name not in static and name not in required
    }
    new = cls.__new__
    set_attribute = object.__setattr__

    def construct(**values: Any) -> M:
        data: dict[str, Any] = {}
        for name in names:
            if name in values:
                data[name] = values[name]
            elif name in static:
                data[name] = static[name]
            elif name in computed:
                data[name] = computed[name].get_default(
                    call_default_factory=True, validated_data=data
                )
        model = new(cls)
        set_attribute(model, "__dict__", data)
        set_attribute(model, "__pydantic_fields_set__", set(values).intersection(names))
        set_attribute(model, "__pydantic_extra__", None)
        set_attribute(model, "__pydantic_private__", None)
        return model

    construct.__doc__ = f"`{cls.__name__}.model_construct`, for trusted values."
    return construct
