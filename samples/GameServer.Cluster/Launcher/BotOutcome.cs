namespace GameServer.Cluster.Launcher;

/// <summary>What a bot saw of one request.</summary>
internal enum BotOutcome
{
    /// <summary>Answered with its result.</summary>
    Completed,

    /// <summary>Answered: a newer request of the same player replaced it.</summary>
    Replaced,

    /// <summary>Answered: its token's deadline passed before the work finished.</summary>
    TimedOut,

    /// <summary>Answered: the entity incarnation stopped with it in flight.</summary>
    Stopped,

    /// <summary>Answered by the node: no reply came through the shard region within the node's bound.</summary>
    Unanswered,

    /// <summary>The connection ended first (the node was killed, or left before answering).</summary>
    ConnectionLost,

    /// <summary>The run ended first.</summary>
    Abandoned,

    /// <summary>Neither answered nor failed within the bot's bound: a hang. Must be zero.</summary>
    Hung,
}
