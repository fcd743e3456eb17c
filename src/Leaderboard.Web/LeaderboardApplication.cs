using Leaderboard.Web.Api;
using Leaderboard.Web.Auth;
using Leaderboard.Web.Components;
using Leaderboard.Web.Data;
using Leaderboard.Web.Domain;
using Leaderboard.Web.Evaluation;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Mrc.Contracts.V1;
using MudBlazor.Services;

namespace Leaderboard.Web;

/// <summary>Service registration and endpoint mapping of the leaderboard (what Program.cs calls).</summary>
public static class LeaderboardApplication
{
    public static WebApplicationBuilder AddLeaderboard(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddLeaderboardDatabase();
        // MudBlazor's files and blazor.web.js come from the static web assets manifest of the build output
        // outside Development too (the AppHost and `dotnet run` start the build output in Production);
        // a published app has them in wwwroot and no manifest, where this does nothing.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;

        services.AddOptions<LeaderboardOptions>().BindConfiguration(LeaderboardOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EvaluationOptions>().BindConfiguration(EvaluationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        // Domain and evaluation.
        services.AddTransient<TeamService>();
        services.AddTransient<EvaluationSetService>();
        services.AddTransient<SubmissionService>();
        services.AddTransient<PipelineClient>();
        services.AddTransient<EvaluationJobRunner>();
        services.AddSingleton<EvaluationInbox>();
        services.AddSingleton<ProgressHub>();
        services.AddSingleton<RunningJobs>();
        services.AddHostedService<EvaluationWorker>();

        // The retriever and reader, over gRPC. PipelineClient does deadlines and retries itself, so the
        // HTTP resilience handler that service defaults put on every client is taken off these two.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
        services.AddGrpcClient<Retriever.RetrieverClient>((sp, o) =>
                o.Address = sp.GetRequiredService<IOptions<EvaluationOptions>>().Value.RetrieverAddress)
            .RemoveAllResilienceHandlers();
        services.AddGrpcClient<Reader.ReaderClient>((sp, o) =>
                o.Address = sp.GetRequiredService<IOptions<EvaluationOptions>>().Value.ReaderAddress)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        // The mrc.v1.Leaderboard API: gRPC, and the same calls as JSON.
        long maxMessage = builder.Configuration.GetValue<long?>($"{LeaderboardOptions.Section}:MaxUploadBytes") ?? new LeaderboardOptions().MaxUploadBytes;
        builder.AddGrpcServiceDefaults()
            .AddJsonTranscoding()
            .AddServiceOptions<LeaderboardGrpcService>(o =>
            {
                o.Interceptors.Add<AuthInterceptor>();
                o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, maxMessage + 64 * 1024);
            });

        // Browser: Blazor (interactive server), MudBlazor, cookie sign-in.
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton<SignInTickets>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "leaderboard.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
                o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = BrowserAuth.ValidateTeamSessionAsync };
            });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    public static WebApplication MapLeaderboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => Results.Problem("The server met an unexpected error.").ExecuteAsync(context) });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapBrowserAuth();
        app.MapGrpcService<LeaderboardGrpcService>();
        app.MapGrpcServiceDefaults();
        app.MapDefaultEndpoints();
        return app;
    }
}
