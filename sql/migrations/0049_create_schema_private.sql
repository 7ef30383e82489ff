-- Bank accounts (CONTRACT §7): a schema of their own, which only the loader
-- (to write them) and the pipeline's owner (the bank file) use; no analyst,
-- auditor or transformer role is granted it (lib/roles.py).
create schema if not exists private
