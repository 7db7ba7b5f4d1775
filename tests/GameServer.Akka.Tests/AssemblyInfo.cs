// The Lifetime meter has no per-owner tag: a LifetimeMeterReader sees every owner in the process. The
// tests check each server's live sources and owners through it, so two servers must not run at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
