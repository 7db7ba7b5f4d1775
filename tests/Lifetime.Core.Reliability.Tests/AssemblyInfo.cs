// Schedule hooks, Timer.ActiveCount and the unobserved-exception check are process-wide: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
