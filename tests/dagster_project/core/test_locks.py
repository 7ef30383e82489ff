from dagster_project.core import locks


def test_every_writer_has_its_own_advisory_lock_id():
    ids = {name: value for name, value in vars(locks).items() if name.endswith("_LOCK")}
    assert ids
    assert len(set(ids.values())) == len(ids), ids
