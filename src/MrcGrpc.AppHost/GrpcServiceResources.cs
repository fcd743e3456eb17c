namespace MrcGrpc.AppHost;

/// <summary>
/// A gRPC service gets two endpoints: "grpc" (cleartext HTTP/2 only, which gRPC clients speak with
/// prior knowledge) and "http" (HTTP/1.1, for /health, /alive and browsers). Kestrel cannot offer
/// both protocols on one cleartext port, so each service binds its Kestrel endpoints "Grpc" and
/// "Http" to the ports the AppHost allocates.
/// </summary>
internal static class GrpcServiceResources
{
    public static IResourceBuilder<ProjectResource> AddGrpcService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "grpc")
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health", endpointName: "http");

        var grpc = service.GetEndpoint("grpc");
        var http = service.GetEndpoint("http");
        return service
            .WithEnvironment("Kestrel__Endpoints__Grpc__Url",
                ReferenceExpression.Create($"http://127.0.0.1:{grpc.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__Http__Url",
                ReferenceExpression.Create($"http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)}"));
    }
}
