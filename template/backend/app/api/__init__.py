"""HTTP layer: dependencies, scoping, ownership check and routers."""
