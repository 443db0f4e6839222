using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SmartShop.Functions.Dashboard;

public static class DashboardServiceExtensions
{
    /// <summary>The dashboard's embedded static files, read once at first use.</summary>
    public static IHostApplicationBuilder AddSmartShopDashboard(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<DashboardAssets>();
        return builder;
    }
}
