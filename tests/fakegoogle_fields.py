"""Google's partial response (the `fields` system parameter), as the fake Google answers it.

What Google documents ("Improve performance: Partial response", developers.google.com/
workspace/calendar/api/guides/performance):
- a comma-separated list selects several fields: `fields=nextPageToken,items`;
- `a/b` selects field b nested within a (`a/b/c`, deeper);
- `a(b,c)` selects the sub-fields b and c of a: of each element when a is an array;
- `*` selects every field at its level (`items/*`);
- the response holds only what was selected; a selection that cannot be read is answered
  with 400 ("Invalid field selection").

So the app gets only what it asks for, as from Google: a field it reads but forgot to ask for
is missing here too, and a test fails instead of a user's calendar. The fake does not check
names against the resource's schema (Google answers an unknown name with 400 too).
"""

from __future__ import annotations

# A selection: field name -> its own selection, or None for the whole value.
Tree = dict


def parse(text: str) -> Tree:
    """The selection of a `fields` value; ValueError when it cannot be read."""
    tree, i = _list(text, 0)
    if i != len(text):
        raise ValueError(f"unexpected {text[i]!r} at {i}")
    return tree


def select(value, tree: Tree | None):
    """`value` holding only what `tree` selects (an array: each of its elements)."""
    if tree is None:
        return value
    if type(value) is list:
        return [select(v, tree) for v in value]
    if type(value) is not dict:
        return value  # a scalar where sub-fields were asked for: as it is
    star = tree.get("*", False)
    if star is not False:
        return {k: select(v, tree.get(k, star)) for k, v in value.items()}
    return {k: value[k] if sub is None else select(value[k], sub) for k, sub in tree.items() if k in value}


def _list(s: str, i: int) -> tuple[Tree, int]:
    """Selections separated by commas, from `i` to a ")" or the end."""
    tree: Tree = {}
    while True:
        path = []
        while True:
            j = i
            while j < len(s) and s[j] not in ",/()":
                j += 1
            name = s[i:j].strip()
            if not name:
                raise ValueError(f"an empty field name at {i}")
            path.append(name)
            i = j
            if i < len(s) and s[i] == "/":
                i += 1
                continue
            break
        sub = None
        if i < len(s) and s[i] == "(":
            sub, i = _list(s, i + 1)
            if i >= len(s) or s[i] != ")":
                raise ValueError("a '(' that is not closed")
            i += 1
        _add(tree, path, sub)
        if i < len(s) and s[i] == ",":
            i += 1
            continue
        return tree, i


def _add(tree: Tree, path: list[str], sub: Tree | None) -> None:
    """Merges `path` (with `sub` at its end) into `tree`: the whole of a field wins over parts."""
    for name in path[:-1]:
        if name in tree and tree[name] is None:
            return  # already whole
        tree = tree.setdefault(name, {})
    last = path[-1]
    if sub is None or tree.get(last, False) is None:
        tree[last] = None
    elif last in tree:
        for k, v in sub.items():
            _add(tree[last], [k], v)
    else:
        tree[last] = sub
