"""Whatever sequence of edits an author makes, the draft stays one well-formed tree."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mongomock_motor import AsyncMongoMockClient

from content_store import BlockValidationError, ContentStore
from content_store.structure import Structure

CHILD = {"course": "chapter", "chapter": "sequential", "sequential": "vertical",
         "vertical": "html"}

edits = st.lists(st.tuples(st.sampled_from(["create", "move", "delete", "update"]),
                           st.integers(0, 50), st.integers(0, 50)), max_size=25)


def assert_tree(structure: Structure) -> None:
    reachable = structure.descendants(structure.root)
    assert len(reachable) == len(set(reachable)) == len(structure.blocks)
    parents = Counter(c for b in structure.blocks.values() for c in b.children)
    assert all(n == 1 for n in parents.values()) and structure.root not in parents
    for block in structure.blocks.values():
        assert all(c.type == CHILD[block.key.type] for c in block.children)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=edits)
async def test_random_edit_sequences_keep_a_well_formed_tree(ops):
    store = ContentStore(AsyncMongoMockClient()["hypothesis"])
    index = await store.create_course("Coursewire", "H1", "1", "alice", title="Fuzz")
    async with store.bulk_edit(index.course_id, "alice") as edit:
        for op, a, b in ops:
            keys = sorted(edit.subtree(edit.base.root))
            target, other = keys[a % len(keys)], keys[b % len(keys)]
            try:
                if op == "create" and target.type in CHILD:
                    fields = {"source": "x"} if CHILD[target.type] == "html" else {"title": "t"}
                    await edit.create_block(target, CHILD[target.type], fields)
                elif op == "move":
                    edit.move_block(target, other, position=0)
                elif op == "delete":
                    edit.delete_block(target)
                elif op == "update" and target.type != "html":
                    await edit.update_block(target, {"title": f"t{a}"})
            except BlockValidationError:
                pass  # refused edits (root, wrong parent type, cycles) must change nothing
    structure = await store.get_branch(index.course_id, "draft")
    assert_tree(structure)
    assert Structure.from_doc(structure.to_doc()) == structure
