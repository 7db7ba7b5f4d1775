using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lifetime.Extensions;

/// <summary>
/// The <see cref="ITokenOwnerFactory"/> of a container: creates owners wired to the host and keeps the
/// ones that have not completed, for <see cref="TokenOwnerShutdownService"/> to end on shutdown.
/// </summary>
internal sealed class TokenOwnerFactory : ITokenOwnerFactory, IDisposable
{
    private readonly IOptions<TokenOwnerFactoryOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly IHostApplicationLifetime? _applicationLifetime;
    private readonly ILogger _logger;

    // Owners created and not completed yet, with their names. An owner leaves when its Completion completes.
    private readonly ConcurrentDictionary<TokenOwner, string> _live = new();
    private volatile bool _disposed;

    public TokenOwnerFactory(IServiceProvider services, IOptions<TokenOwnerFactoryOptions> options)
    {
        _options = options;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _applicationLifetime = services.GetService<IHostApplicationLifetime>();
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger(TokenOwnerLogEvents.Category) ?? NullLogger.Instance;
    }

    /// <summary>The owners created and not completed yet, with their names (tests).</summary>
    internal ICollection<string> LiveNames => _live.Values;

    public TokenOwner Create(string name, Action<TokenOwnerOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var settings = _options.Value;
        var options = new TokenOwnerOptions
        {
            TimeProvider = _timeProvider,
            CallbackPlacement = settings.CallbackPlacement,
            ThrowOnCancelException = settings.ThrowOnCancelException,
            OnCancelException = exception => Log.CallbackException(_logger, name, exception),
        };
        if (settings.BindToApplicationStopping && _applicationLifetime is not null)
        {
            options.OuterToken = _applicationLifetime.ApplicationStopping;
        }

        configure?.Invoke(options);
        var owner = new TokenOwner(options);
        _live[owner] = name;
        owner.Completion.ContinueWith(static (_, state) => ((Tracked)state!).Forget(), new Tracked(this, owner), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return owner;
    }

    /// <summary>
    /// Disposes every owner not completed yet and waits for them until <paramref name="cancellationToken"/>
    /// (the host's shutdown timeout) fires, logging by name each owner that had not completed by then.
    /// </summary>
    public async Task EndAllAsync(CancellationToken cancellationToken)
    {
        var owners = _live.ToArray();
        if (owners.Length == 0)
        {
            return;
        }

        Log.OwnersStopping(_logger, owners.Length);
        var started = _timeProvider.GetTimestamp();
        var ends = new Task[owners.Length];
        for (var i = 0; i < owners.Length; i++)
        {
            var (owner, name) = owners[i];

            // On the pool: with Inline placement a disposal runs callbacks on the calling thread, and one
            // that blocks must not keep the host from stopping.
            ends[i] = Task.Run(() => EndAsync(owner, name), CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(ends).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var elapsed = _timeProvider.GetElapsedTime(started);
            foreach (var (owner, name) in owners)
            {
                if (!owner.Completion.IsCompleted)
                {
                    Log.OwnerNotEnded(_logger, name, elapsed);
                }
            }
        }
    }

    /// <summary>Disposes the owners still running, without waiting (the host normally ended them already).</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var (owner, name) in _live.ToArray())
        {
            _ = Task.Run(() => EndAsync(owner, name), CancellationToken.None);
        }
    }

    private async Task EndAsync(TokenOwner owner, string name)
    {
        try
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Strict mode's callback exceptions: logged, and the other owners still end.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.OwnerDisposeFailed(_logger, name, exception);
        }

        // Completion, without its fault (a processing failure, which the owner's users observe).
        await owner.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);

        // Also forgotten by the continuation registered in Create, which may run later (Completion runs
        // its continuations asynchronously): once ended here, the owner is no longer tracked.
        _live.TryRemove(owner, out _);
    }

    private sealed class Tracked(TokenOwnerFactory factory, TokenOwner owner)
    {
        public void Forget() => factory._live.TryRemove(owner, out _);
    }
}
