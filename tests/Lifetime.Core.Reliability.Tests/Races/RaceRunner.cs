using System;
using Lifetime.Reliability.Tests.Infrastructure;

namespace Lifetime.Reliability.Tests.Races;

/// <summary>
/// Runs a race under many seeded schedules: each schedule reseeds the <see cref="HookDriver"/> (random
/// yields and spins at the owner's hook points), arranges fresh state, releases both sides together on
/// two lockstep threads, and verifies the outcome. The first failure is returned with its seed;
/// <c>LIFETIME_SEED</c> replays that one schedule.
/// </summary>
public static class RaceRunner
{
    public static RaceResult Run(string name, int schedules, Func<int, Race> arrange)
    {
        var master = Scale.NewMasterSeed();
        using var driver = new HookDriver();
        using var lockstep = new Lockstep(2);
        var count = Scale.ReplaySeed is null ? schedules : 1;
        var failed = new Failures();
        for (var i = 0; i < count; i++)
        {
            var seed = Scale.ReplaySeed ?? Scale.Derive(master, i);
            Race? race = null;
            try
            {
                driver.Reseed(seed);
                race = arrange(seed);
                lockstep.Run(race.First, race.Second);
                race.Verify();
            }
#pragma warning disable CA1031 // Any exception is the race's failure, reported with its seed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var failure = $"{name}: schedule {i} failed, seed {seed} (replay: LIFETIME_SEED={seed}): {ex}\n{race?.Describe?.Invoke()}";
                if (!Scale.KeepGoing)
                {
                    return new RaceResult(i + 1, driver.Hits, failure);
                }

                failed.Add(failure);
            }
        }

        return new RaceResult(count, driver.Hits, failed.Summary(count, "schedules"));
    }
}
