using Microsoft.Extensions.Options;
using Mrc.Retrieval.Lifecycle;
using Mrc.Retrieval.Search;
using Mrc.Retriever.Grpc;
using Mrc.Retriever.Lifecycle;

namespace Mrc.Retriever;

/// <summary>What Program.cs calls: the retriever's services (options, index host, searcher, reload, health) and endpoints.</summary>
public static class RetrieverApplication
{
    public static IHostApplicationBuilder AddRetriever(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGrpcServiceDefaults<RetrieverErrors>();
        var services = builder.Services;
        services.AddValidatedOptions<RetrieverOptions>(RetrieverOptions.SectionName);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RetrieverOptions>>().Value;
            return new IndexHost(options.IndexPath, options.DefaultScoring, sp.GetRequiredService<ILogger<IndexHost>>());
        });
        services.AddSingleton(sp => new PassageSearcher(
            sp.GetRequiredService<IndexHost>(),
            sp.GetRequiredService<IOptions<RetrieverOptions>>().Value.DefaultScoring));
        services.AddHostedService<IndexReloadService>();
        services.AddHealthChecks().AddCheck<IndexHealthCheck>("retriever-index");
        return builder;
    }

    public static WebApplication MapRetriever(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<RetrieverGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
