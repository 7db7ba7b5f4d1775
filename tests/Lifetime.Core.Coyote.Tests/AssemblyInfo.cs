// The planted faults and the pool redirection (ScheduleHooks) are process-wide: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
