using System.Collections.Generic;
using System.Net;

namespace GameServer.Cluster.Launcher;

/// <summary>The game endpoints the bots may connect to now; the scenario removes a node before it leaves or is killed.</summary>
internal sealed class LiveNodes
{
    private readonly object _gate = new();
    private readonly List<(int Node, IPEndPoint EndPoint)> _nodes = new();

    public void Add(int node, int port)
    {
        lock (_gate)
        {
            _nodes.Add((node, new IPEndPoint(IPAddress.Loopback, port)));
        }
    }

    public void Remove(int node)
    {
        lock (_gate)
        {
            _nodes.RemoveAll(entry => entry.Node == node);
        }
    }

    public bool Contains(int node)
    {
        lock (_gate)
        {
            return _nodes.Exists(entry => entry.Node == node);
        }
    }

    /// <summary>Picks a node for <paramref name="key"/> (a bot's index plus its attempt), or returns false when none is live.</summary>
    public bool TryPick(int key, out int node, out IPEndPoint? endPoint)
    {
        lock (_gate)
        {
            if (_nodes.Count == 0)
            {
                (node, endPoint) = (0, null);
                return false;
            }

            (node, endPoint) = _nodes[(int)((uint)key % (uint)_nodes.Count)];
            return true;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            var names = new List<string>();
            foreach (var (node, _) in _nodes)
            {
                names.Add(node.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return string.Join(',', names);
        }
    }
}
