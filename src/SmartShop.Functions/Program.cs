using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SmartShop.Functions;
using SmartShop.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestCorrelationMiddleware>();
builder.AddSmartShopServices();
builder.Build().Run();
