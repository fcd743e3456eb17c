using Mrc.Leaderboard.Experiments;
using Mrc.Leaderboard.Api;
using Mrc.Leaderboard.Auth;
using Mrc.Leaderboard.Components;
using Mrc.Leaderboard.Data;
using Mrc.Leaderboard.Domain;
using Mrc.Leaderboard.Evaluation;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using MudBlazor.Services;

namespace Mrc.Leaderboard;

/// <summary>What Program.cs calls: the leaderboard's services (options, database, domain, evaluation worker, API, browser) and endpoints.</summary>
public static class LeaderboardApplication
{
    public static WebApplicationBuilder AddLeaderboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddLeaderboardDatabase();
        // MudBlazor's files and blazor.web.js come from the static web assets manifest of the build output
        // outside Development too (the AppHost and `dotnet run` start the build output in Production);
        // a published app has them in wwwroot and no manifest, where this does nothing.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;

        services.AddValidatedOptions<LeaderboardOptions>(LeaderboardOptions.SectionName);
        services.AddValidatedOptions<DemoOptions>(DemoOptions.SectionName);
        services.AddValidatedOptions<EvaluationOptions>(EvaluationOptions.SectionName);
        services.AddValidatedOptions<ExperimentsOptions>(ExperimentsOptions.SectionName);
        services.AddSingleton(TimeProvider.System);

        // Migrations and the demo registration run first: hosted services start in registration order,
        // and data protection's own one reads its keys from the database, so this one goes to the head.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseStartup>());

        // Domain and evaluation.
        services.AddTransient<TeamService>();
        services.AddTransient<RetrieverIndexCheck>();
        services.AddTransient<EvaluationSetService>();
        services.AddTransient<SubmissionService>();
        services.AddSingleton<UploadSlots>();
        services.AddTransient<FinalSubmissionService>();
        services.AddTransient<AuditLog>();
        services.AddTransient<BaselineService>();
        services.AddTransient<ComparisonService>();
        services.AddTransient<PipelineClient>();
        services.AddTransient<EvaluationJobRunner>();
        services.AddTransient<DatabaseRetry>();
        services.AddSingleton<EvaluationInbox>();
        services.AddSingleton<JobLeases>(); // one owner name for the whole process
        services.AddSingleton<ProgressHub>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<RunCatalog>();
        services.AddHostedService<EvaluationWorker>();
        services.AddHostedService<PhaseRevealService>();
        services.AddLeaderboardHealthChecks();

        // The retriever and reader, over gRPC, each one replica or several (round-robin). Mrc.Clients does
        // deadlines and retries itself, so the HTTP resilience handler that service defaults put on every
        // client is taken off these two.
        static EvaluationOptions Evaluation(IServiceProvider sp) => sp.GetRequiredService<IOptions<EvaluationOptions>>().Value;
        ServiceReplicas.AddResolvers(services, sp => [Evaluation(sp).Retrievers, Evaluation(sp).Readers]);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
        services.AddGrpcClient<Retriever.RetrieverClient>((sp, o) => Evaluation(sp).Retrievers.Configure(o))
            .ConfigureChannel((sp, c) => Evaluation(sp).Retrievers.Configure(c, sp))
            .RemoveAllResilienceHandlers();
        services.AddGrpcClient<Reader.ReaderClient>((sp, o) => Evaluation(sp).Readers.Configure(o))
            .ConfigureChannel((sp, c) => Evaluation(sp).Readers.Configure(c, sp))
            .RemoveAllResilienceHandlers();
        // Team model uploads, streamed through to the reader: no retries (a stream is resumed by the client from its status).
        services.AddGrpcClient<ModelUploads.ModelUploadsClient>((sp, o) => Evaluation(sp).Readers.Configure(o))
            .ConfigureChannel((sp, c) => Evaluation(sp).Readers.Configure(c, sp))
            .RemoveAllResilienceHandlers();
        services.AddSingleton<TeamModelService>();
#pragma warning restore EXTEXP0001

        // The mrc.v1.Leaderboard API: gRPC, and the same calls as JSON.
        long maxMessage = builder.Configuration.GetValue<long?>($"{LeaderboardOptions.SectionName}:MaxUploadBytes") ?? new LeaderboardOptions().MaxUploadBytes;
        builder.AddGrpcServiceDefaults<LeaderboardErrors>()
            .AddJsonTranscoding()
            .AddServiceOptions<LeaderboardGrpcService>(o =>
            {
                o.Interceptors.Add<AuthInterceptor>();
                o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, maxMessage + 64 * 1024);
            })
            .AddServiceOptions<LeaderboardAdminGrpcService>(o =>
            {
                // Audit outside authentication, so refused callers are recorded too.
                o.Interceptors.Add<AdminAuditInterceptor>();
                o.Interceptors.Add<AuthInterceptor>();
                o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, maxMessage + 64 * 1024);
            });

        // Browser: Blazor (interactive server), MudBlazor, cookie sign-in.
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton<SignInTickets>();
        services.AddSingleton<SignInThrottle>();
        services.AddHttpContextAccessor();
        services.AddTransient<SessionStamps>();
        services.AddScoped<BrowserTimeZone>();
        // Cookies are Secure when the request came over HTTPS (directly, or through a trusted proxy),
        // and not on plain local HTTP, where a browser would never send a Secure cookie back.
        services.AddTrustedProxies();
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "leaderboard.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
                o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = BrowserAuth.ValidateSessionAsync };
            });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingSessionStateProvider>();
        return builder;
    }

    public static WebApplication MapLeaderboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // First, so that everything after sees the scheme and client address the trusted proxy reports.
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => Results.Problem("The server met an unexpected error.").ExecuteAsync(context) });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapBrowserAuth();
        app.MapLeaderboardCsv();
        app.MapGrpcService<LeaderboardGrpcService>();
        app.MapGrpcService<LeaderboardAdminGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
