using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Lifetime.Extensions;

/// <summary>
/// Ends the factory's owners when the host stops: disposes each one still running and awaits them until
/// the host's shutdown timeout (the token the host passes to <see cref="StopAsync"/>).
/// </summary>
internal sealed class TokenOwnerShutdownService(TokenOwnerFactory factory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => factory.EndAllAsync(cancellationToken);
}
