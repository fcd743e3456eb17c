using Microsoft.Extensions.Options;
using Mrc.Retriever;
using Mrc.Retriever.Grpc;
using Mrc.Retriever.Lifecycle;
using Mrc.Retriever.Search;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers and maps everything the retriever service runs: options, index host, searcher, gRPC endpoints.</summary>
public static class RetrieverServiceExtensions
{
    public static IHostApplicationBuilder AddRetrieverServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGrpcServiceDefaults();
        builder.Services.AddOptions<RetrieverOptions>().BindConfiguration(RetrieverOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RetrieverOptions>, RetrieverOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<RetrieverOptions>>().Value;
            return new IndexHost(options.IndexPath, options.DefaultScoring, services.GetRequiredService<ILogger<IndexHost>>());
        });
        builder.Services.AddSingleton(services => new PassageSearcher(
            services.GetRequiredService<IndexHost>(),
            services.GetRequiredService<IOptions<RetrieverOptions>>().Value.DefaultScoring));
        builder.Services.AddHostedService<IndexReloadService>();
        builder.Services.AddHealthChecks().AddCheck<IndexHealthCheck>("retriever-index");
        return builder;
    }

    public static WebApplication MapRetrieverEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<RetrieverGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
