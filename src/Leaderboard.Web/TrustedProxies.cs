using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Mrc.Leaderboard;

/// <summary>
/// Behind a reverse proxy that ends TLS, Kestrel sees plain HTTP from the proxy's address. The proxy's
/// X-Forwarded-Proto and X-Forwarded-For are believed only from the addresses in
/// <see cref="LeaderboardOptions.TrustedProxies"/>: then the request counts as HTTPS (so cookies get the
/// Secure flag) and the client's address is the real one. From anyone else they are ignored.
/// </summary>
public static class TrustedProxies
{
    /// <summary>The networks of a comma-separated list of addresses and CIDR networks; null when an entry is neither.</summary>
    public static IReadOnlyList<System.Net.IPNetwork>? Parse(string list)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) networks.Add(new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8));
            else return null;
        }
        return networks;
    }

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<LeaderboardOptions>>((o, leaderboard) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Replace the built-in loopback defaults: the setting is the whole list.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in Parse(leaderboard.Value.TrustedProxies) ?? []) o.KnownIPNetworks.Add(network);
        });
        return services;
    }
}
