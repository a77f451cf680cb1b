"""careflow's CDS Hooks 2.0 service (`careflow serve`, docs/service.md).

One job per module:

    config.py    the service's settings (a YAML file and the command line)
    errors.py    what a caller can get wrong, each with its HTTP status
    security.py  the EHR's JWT on every call: algorithms, aud, iss/jku allow-list, JWKS, jti
    prefetch.py  the prefetch templates from the rule book; prefetch checked, missing data
                 fetched from the EHR's FHIR server, combined into one collection bundle
    hooks.py     what a worker computes: the plan as cards (patient-view), the draft orders
                 checked against the plan (order-sign)
    pool.py      worker processes that evaluate, replaced when one dies; a bounded queue
    audit.py     the append-only audit trail (SQLite): evaluations, cards and their rules,
                 feedback
    app.py       the FastAPI application and its routes

Nothing here is imported by `import careflow`: the service needs the `service` extra
(`pip install 'careflow[service]'`).
"""
