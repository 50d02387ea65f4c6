"""AWS Organizations: catalog (its actions), records, parse (pure), fetch (calls and FETCHER)."""
