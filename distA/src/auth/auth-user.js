function stringList(value) {
    if (Array.isArray(value))
        return value.filter((v) => typeof v === 'string');
    if (typeof value === 'string' && value)
        return [value];
    return [];
}
/**
 * Turns verified claims into a user, or null when they do not describe one.
 * Roles come from `roles` (dev tokens) and `cognito:groups` (Cognito).
 */
export function userFromClaims(claims) {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0)
        return null;
    const roles = [...new Set([...stringList(claims.roles), ...stringList(claims['cognito:groups'])])];
    return { sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : undefined, roles };
}
//# sourceMappingURL=auth-user.js.map