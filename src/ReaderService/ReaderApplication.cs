using Microsoft.Extensions.Options;
using Mrc.Reader.Grpc;
using Mrc.Reader.Health;
using Mrc.Reader.Uploads;
using Mrc.Reading.Models;
using Mrc.Reading.Uploads;

namespace Mrc.Reader;

/// <summary>What Program.cs calls: the reader's services (options, model manager, health) and endpoints.</summary>
public static class ReaderApplication
{
    public static IHostApplicationBuilder AddReader(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // gRPC, and the same calls as JSON over HTTP/1.1 (curl), with the same validation and status codes.
        // The upload API is internal (the leaderboard's secret) and not transcoded to JSON; its chunks
        // are up to 4 MiB.
        builder.AddGrpcServiceDefaults<ReaderErrors>().AddJsonTranscoding()
            .AddServiceOptions<ModelUploadsGrpcService>(o =>
            {
                o.Interceptors.Add<UploadSecretInterceptor>();
                o.MaxReceiveMessageSize = 4 * 1024 * 1024 + 64 * 1024;
            });
        var services = builder.Services;
        services.AddValidatedOptions<ReaderOptions>(ReaderOptions.SectionName);
        services.AddSingleton(sp => new ModelManager(
            sp.GetRequiredService<IOptions<ReaderOptions>>().Value.ToManagerSettings(),
            sp.GetRequiredService<ILogger<ModelManager>>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ModelUploadStore(
            sp.GetRequiredService<ModelManager>(),
            sp.GetRequiredService<IOptions<ReaderOptions>>().Value.Uploads.ToLimits(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ModelUploadStore>>()));
        services.AddHostedService<UploadExpiryService>();
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("reader-models");
        return builder;
    }

    public static WebApplication MapReader(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<ReaderGrpcService>();
        app.MapGrpcService<ModelUploadsGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
