using Proxy.Actors.Audit;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users;

namespace Proxy.Tests.Audit;

/// <summary>g3's gating for tunnels (docs/audit.md): the server's auditor, the user's switch, the ratio.</summary>
public sealed class AuditorGatingTests
{
    private static AuditorHandle Auditor(double ratio) =>
        new(new AuditorConfig { Name = "a", Position = new ConfigPosition("t", 1), TaskAuditRatio = ratio }, TimeProvider.System);

    private static User User(UserAuditConfig audit) =>
        new("u", "g", UserKind.Static, new UserConfig { Name = "u", Audit = audit }, TimeProvider.System);

    [Fact]
    public void NoUser_TheAuditorsRatioDecides()
    {
        using var half = Auditor(0.5);
        Assert.True(half.ShouldInspectTunnel(null, () => 0.49));
        Assert.False(half.ShouldInspectTunnel(null, () => 0.5));
        using var none = Auditor(0);
        Assert.False(none.ShouldInspectTunnel(null, () => 0.0));
    }

    [Fact]
    public void User_WithoutInspectionSwitch_IsNeverInspected()
    {
        using var all = Auditor(1);
        Assert.False(all.ShouldInspectTunnel(User(UserAuditConfig.Default), () => 0.0));
    }

    [Fact]
    public void User_WithTheSwitch_UsesItsOwnRatioBeforeTheAuditors()
    {
        using var all = Auditor(1);
        var user = User(new UserAuditConfig(EnableProtocolInspection: true, TaskAuditRatio: 0.25));
        Assert.True(all.ShouldInspectTunnel(user, () => 0.2));
        Assert.False(all.ShouldInspectTunnel(user, () => 0.3));
        Assert.True(all.ShouldInspectTunnel(User(new UserAuditConfig(EnableProtocolInspection: true)), () => 0.99));
    }

    [Fact]
    public void ForwardedRequest_IgnoresTheInspectionSwitch_UserRatioBeforeTheAuditors()
    {
        using var all = Auditor(1);
        Assert.True(all.ShouldAuditTask(User(UserAuditConfig.Default), () => 0.99));
        var quarter = User(new UserAuditConfig(TaskAuditRatio: 0.25));
        Assert.True(all.ShouldAuditTask(quarter, () => 0.2));
        Assert.False(all.ShouldAuditTask(quarter, () => 0.3));
        using var none = Auditor(0);
        Assert.False(none.ShouldAuditTask(null, () => 0.0));
    }
}
