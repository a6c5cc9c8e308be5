from migrator.pathtemplates import path_params, shape


def test_parameters_and_shapes_as_starlette_reads_them():
    assert path_params("/api/tenant/status/{tenant_id}") == ("tenant_id",)
    assert path_params("/files/{path:path}/v/{n:int}") == ("path", "n")
    assert shape("/admin/users/{user_id}") == shape("/admin/users/{uid:int}") == "/admin/users/{}"
    assert shape("/health") == "/health"
