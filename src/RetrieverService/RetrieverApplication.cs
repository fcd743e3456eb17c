using Mrc.Retriever.Grpc;
using Mrc.Retriever.Indexes;
using Mrc.Retriever.Lifecycle;

namespace Mrc.Retriever;

/// <summary>What Program.cs calls: the retriever's services (options, the served indexes, reload, health) and endpoints.</summary>
public static class RetrieverApplication
{
    public static IHostApplicationBuilder AddRetriever(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // gRPC, and the same calls as JSON over HTTP/1.1 (curl), with the same validation and status codes.
        builder.AddGrpcServiceDefaults<RetrieverErrors>().AddJsonTranscoding();
        var services = builder.Services;
        services.AddValidatedOptions<RetrieverOptions>(RetrieverOptions.SectionName);
        services.AddSingleton<ServedIndexes>();
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
