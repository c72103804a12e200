namespace Proxy.Actors.Config.Acl;

/// <summary>g3's ACL actions, strictest last so that Max() picks the strictest.</summary>
public enum AclAction { Permit = 0, PermitLog = 1, Forbid = 2, ForbidLog = 3 }

public static class AclActionExtensions
{
    public static bool IsForbidden(this AclAction a) => a >= AclAction.Forbid;
    public static bool ShouldLog(this AclAction a) => a is AclAction.PermitLog or AclAction.ForbidLog;
}
