using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;

namespace Mrc.Leaderboard.Evaluation;

/// <summary>
/// Where one service (the retriever or the reader) runs: one address, every address of a DNS name, or a
/// list of replicas (which, when given, replaces the single address, so a default in appsettings.json
/// does not get in its way). Several replicas share a job's calls round-robin on the client side; a replica whose
/// connection fails leaves the rotation until it answers again, and the call that failed on it is
/// retried (Mrc.Clients retries Unavailable) on the next one, so one replica going down only slows a run.
/// </summary>
public sealed record ServiceReplicas
{
    public ServiceReplicas(string name, Uri? address, IReadOnlyList<Uri> addresses)
    {
        Name = name;
        Addresses = addresses;
        Address = addresses.Count > 0 ? null : address;
    }

    public string Name { get; }
    /// <summary>The single address (a replica or a DNS name), null when a list of replicas is given.</summary>
    public Uri? Address { get; }
    public IReadOnlyList<Uri> Addresses { get; }

    const string StaticScheme = "static", DnsScheme = "dns";

    /// <summary>Why these settings cannot be used, or null.</summary>
    public string? Problem => (Address, Addresses.Count) switch
    {
        (null, 0) => $"give the {Name}'s address, or its replicas' addresses",
        ({ Scheme: DnsScheme } dns, _) when dns.AbsolutePath.Trim('/').Split(':') is not [{ Length: > 0 }, _] =>
            $"a DNS address is dns:///host:port, not {dns}",
        ({ Scheme: not (DnsScheme or "http" or "https") } other, _) => $"{other} is not an http, https or dns address",
        (null, _) when Addresses.FirstOrDefault(a => a.Scheme != "http") is { } other => $"replica {other} is not an http:// address",
        _ => null,
    };

    /// <summary>The channel target: the one replica itself, the DNS name, or this service's static list.</summary>
    Uri Target => Address is { Scheme: not DnsScheme } single ? single
        : Address ?? new Uri($"{StaticScheme}:///{Name}");

    bool Balanced => Address is null or { Scheme: DnsScheme };

    /// <summary>Points a typed gRPC client at these replicas, round-robin when there are several.</summary>
    public void Configure(GrpcClientFactoryOptions client) => client.Address = Target;

    public void Configure(Grpc.Net.Client.GrpcChannelOptions channel, IServiceProvider services)
    {
        if (!Balanced) return;
        channel.ServiceProvider = services;
        // Balancing opens its own connection per replica, which needs a bare SocketsHttpHandler
        // (not the client factory's handler chain with service discovery).
        channel.HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        channel.Credentials = ChannelCredentials.Insecure; // replicas and DNS names are plain HTTP/2 inside the deployment
        channel.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
    }

    /// <summary>
    /// The resolvers behind <see cref="Configure(Grpc.Net.Client.GrpcChannelOptions, IServiceProvider)"/>: the
    /// static lists (by service name) and DNS names re-resolved every 30 s, so replicas added later are found.
    /// </summary>
    public static void AddResolvers(IServiceCollection services, Func<IServiceProvider, IEnumerable<ServiceReplicas>> replicas)
    {
        services.AddSingleton<ResolverFactory>(sp => new StaticResolverFactory(target =>
            replicas(sp).Single(r => r.Name == target.AbsolutePath.Trim('/')).Addresses.Select(a => new BalancerAddress(a.Host, a.Port))));
        services.AddSingleton<ResolverFactory>(new DnsResolverFactory(refreshInterval: TimeSpan.FromSeconds(30)));
    }
}
