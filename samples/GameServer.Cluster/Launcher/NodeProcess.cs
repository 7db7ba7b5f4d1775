using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Threading.Tasks;
using GameServer.Cluster.Checks;
using GameServer.Cluster.Node;

namespace GameServer.Cluster.Launcher;

/// <summary>
/// A node process started by the launcher: this same program with the hidden <c>node</c> argument. Its
/// standard output and error go to a console file next to its event log; marker lines report its ports
/// and when it is up.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _console;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _consoleGate = new();

    private NodeProcess(NodeOptions options, Process process, StreamWriter console)
    {
        Options = options;
        _process = process;
        _console = console;
    }

    public NodeOptions Options { get; }

    public int Index => Options.Index;

    public int AkkaPort { get; private set; }

    public int GamePort { get; private set; }

    public Task Ready => _ready.Task;

    public Task Up => _up.Task;

    public NodeEnd End { get; private set; } = NodeEnd.Running;

    /// <summary>Gets when the node was seen dead after SIGKILL (a <see cref="Stopwatch"/> timestamp), or 0.</summary>
    public long KilledAt { get; private set; }

    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(NodeOptions options, string consolePath)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("The launcher cannot find its own executable."),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Under `dotnet GameServer.Cluster.dll` the process is the dotnet host: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in options.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }

        var console = new StreamWriter(consolePath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(options, process, console);
        process.OutputDataReceived += (_, e) => node.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnConsole(e.Data);
        process.Exited += (_, _) =>
        {
            node._ready.TrySetException(new InvalidOperationException($"node {options.Index} exited before it was ready (see {consolePath})."));
            node._up.TrySetException(new InvalidOperationException($"node {options.Index} exited before it was up (see {consolePath})."));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Tells the node to leave the cluster gracefully (its shards are handed off).</summary>
    public Task LeaveAsync() => CommandAsync("leave", NodeEnd.Left);

    /// <summary>Tells the node to shut down at the end of the run.</summary>
    public Task StopAsync() => CommandAsync("stop", NodeEnd.Stopped);

    /// <summary>Kills the process with SIGKILL and records when it was seen dead.</summary>
    public async Task KillAsync()
    {
        End = NodeEnd.Killed;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        KilledAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Waits for the process to exit; when it does not within <paramref name="bound"/>, kills it and marks it hung.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan bound)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(bound);
            if (_process.ExitCode != 0 && End != NodeEnd.Killed)
            {
                End = NodeEnd.Failed;
            }

            return true;
        }
        catch (TimeoutException)
        {
            End = NodeEnd.Failed;
            _process.Kill();
            await _process.WaitForExitAsync();
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        lock (_consoleGate)
        {
            _console.Dispose();
        }
    }

    private async Task CommandAsync(string verb, NodeEnd end)
    {
        End = end;
        await _process.StandardInput.WriteLineAsync(verb);
        await _process.StandardInput.FlushAsync();
    }

    private void OnOutput(string? line)
    {
        OnConsole(line);
        if (line is null || !line.StartsWith(NodeHost.Marker, StringComparison.Ordinal))
        {
            return;
        }

        var parts = line[NodeHost.Marker.Length..].Split(' ');
        switch (parts[0])
        {
            case "ready" when parts.Length == 3:
                AkkaPort = int.Parse(parts[1], CultureInfo.InvariantCulture);
                GamePort = int.Parse(parts[2], CultureInfo.InvariantCulture);
                _ready.TrySetResult();
                break;
            case "up":
                _up.TrySetResult();
                break;
        }
    }

    private void OnConsole(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_consoleGate)
        {
            try
            {
                _console.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The launcher is done with this node.
            }
        }
    }
}
