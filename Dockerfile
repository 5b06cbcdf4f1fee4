# Build
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/SecureGateway/SecureGateway.csproj -c Release -o /app

# Run as a non-root user; the audit database is the compose file's PostgreSQL (ConnectionStrings__Audit).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY policies /app/policies
RUN mkdir -p /data && chown app:app /data
USER app
ENV Gateway__DataDir=/data \
    Gateway__PolicyDir=/app/policies
EXPOSE 8080
ENTRYPOINT ["dotnet", "SecureGateway.dll"]
CMD ["serve", "--urls", "http://0.0.0.0:8080"]
