using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SmartShop.Functions;
using SmartShop.Functions.Http;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestCorrelationMiddleware>();
builder.UseMiddleware<UnhandledExceptionMiddleware>();
builder.UseMiddleware<ServingDemandMiddleware>();
builder.AddSmartShopServices();
builder.Build().Run();
