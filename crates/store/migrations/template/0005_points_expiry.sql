-- Points may expire: a policy says for how many calendar years the points it prices can be spent (none:
-- never). Expired points leave the balance as an `expiry` entry in the ledger, so the balance stays the sum
-- of the entries.
ALTER TABLE points_policies ADD COLUMN valid_years BIGINT;
