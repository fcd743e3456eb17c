using Microsoft.Extensions.Options;
using Mrc.Reader.Grpc;
using Mrc.Reader.Health;
using Mrc.Reading.Models;

namespace Mrc.Reader;

/// <summary>What Program.cs calls: the reader's services (options, model manager, health) and endpoints.</summary>
public static class ReaderApplication
{
    public static IHostApplicationBuilder AddReader(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // gRPC, and the same calls as JSON over HTTP/1.1 (curl), with the same validation and status codes.
        builder.AddGrpcServiceDefaults<ReaderErrors>().AddJsonTranscoding();
        var services = builder.Services;
        services.AddValidatedOptions<ReaderOptions>(ReaderOptions.SectionName);
        services.AddSingleton(sp => new ModelManager(
            sp.GetRequiredService<IOptions<ReaderOptions>>().Value.ToManagerSettings(),
            sp.GetRequiredService<ILogger<ModelManager>>()));
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("reader-models");
        return builder;
    }

    public static WebApplication MapReader(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<ReaderGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
