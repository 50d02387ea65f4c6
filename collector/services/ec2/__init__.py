"""EC2: catalog (its actions), records, parse (pure), fetch (calls and FETCHER)."""
