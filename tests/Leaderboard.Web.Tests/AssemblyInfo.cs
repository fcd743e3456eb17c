// Tests start real servers (Kestrel, PostgreSQL, chromium); on a two-core machine they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
