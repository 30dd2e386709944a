// Generated from the OpenAPI document by openapi-typescript (npm run openapi:client): do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok" | "degraded" | "down";
                            services: {
                                /** @enum {string} */
                                redis: "up" | "down";
                                /** @enum {string} */
                                database: "up" | "down";
                            };
                            problems: {
                                component: string;
                                detail: string;
                            }[];
                            version: string;
                            uptime: number;
                            projections?: {
                                projection: string;
                                behind: number;
                                oldestUnprocessedAgeMs: number;
                                deadLetters: number;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                    status?: "active" | "inactive" | "archived";
                    limit?: number;
                    offset?: number;
                    includeUnlinked?: "0" | "1" | "true" | "false";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: {
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        projectPath?: string;
                        folderName?: string;
                        machineId?: string;
                        context?: string | null;
                        metadata?: {
                            [key: string]: unknown;
                        };
                        claudeSessionId?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionWritten"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                    asOf?: string;
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionDeleted"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        context?: string | null;
                        metadata?: {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        status?: "active" | "inactive" | "archived";
                        permissionRules?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionWritten"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionWritten"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/machines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MachineList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/machines/{machineId}/repositories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    machineId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MachineRepositories"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/repositories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    offset?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            repositories: {
                                name: string;
                                path: string;
                                isGit: boolean;
                                branch: string | null;
                                lastModified: string;
                            }[];
                            total: number;
                            limit: number;
                            offset: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/prompts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PromptList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: {
                    "idempotency-key"?: string;
                };
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        prompt: string;
                        projectPath?: string;
                        options?: {
                            model?: string;
                            /** @enum {string} */
                            permissionMode?: "default" | "acceptEdits" | "plan" | "bypassPermissions" | "dontAsk";
                            allowedTools?: string[];
                            disallowedTools?: string[];
                            maxTurns?: number;
                        };
                        /**
                         * @default queue
                         * @enum {string}
                         */
                        deliveryMode?: "queue" | "steer";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PromptAccepted"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/prompts/{promptId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                };
                header?: never;
                path: {
                    sessionId: string;
                    promptId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Prompt"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                    promptId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PromptCancelled"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PromptCancelled"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                    limit?: number;
                    before?: number;
                    after?: number;
                    includeCancelled?: "0" | "1" | "true" | "false";
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            messages: components["schemas"]["Message"][];
                            hasMore: boolean;
                            nextCursor: number | null;
                            queued: components["schemas"]["Message"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PermissionList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/permissions/{requestId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    minPosition?: string;
                };
                header?: never;
                path: {
                    sessionId: string;
                    requestId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Permission"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                    requestId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        decision: "allow" | "allow_always" | "deny";
                        message?: string;
                        updatedInput?: {
                            [key: string]: unknown;
                        };
                        answers?: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        permissionMode?: "default" | "acceptEdits" | "plan" | "bypassPermissions" | "dontAsk";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PermissionDecided"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    sessionId?: string;
                    type?: string;
                    actor?: string;
                    from?: string;
                    to?: string;
                    after?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            events: {
                                position: string;
                                eventId: string;
                                type: string;
                                schemaVersion: number;
                                sessionId: string;
                                version: number;
                                occurredAt: string;
                                data: unknown;
                                meta: {
                                    actor: string;
                                    correlationId: string;
                                    causationId: string | null;
                                    requestId: string | null;
                                };
                                prevHash: string;
                                hash: string;
                            }[];
                            next: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/events/{ref}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    ref: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            position: string;
                            eventId: string;
                            type: string;
                            schemaVersion: number;
                            sessionId: string;
                            version: number;
                            occurredAt: string;
                            data: unknown;
                            meta: {
                                actor: string;
                                correlationId: string;
                                causationId: string | null;
                                requestId: string | null;
                            };
                            prevHash: string;
                            hash: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/sessions/{sessionId}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessionId: string;
                            ok: boolean;
                            events: number;
                            firstBadVersion?: number;
                            reason?: ("hash_mismatch" | "prev_hash_mismatch" | "version_gap" | "wrong_session" | "unreadable" | "column_mismatch" | "position_order") | ("redis_archive_mismatch" | "missing_in_redis");
                            /** @enum {string} */
                            column?: "actor" | "entry_id" | "partition";
                            /** @enum {string} */
                            source?: "redis" | "archive" | "both";
                            redis: {
                                ok: boolean;
                                events: number;
                                firstBadVersion?: number;
                                /** @enum {string} */
                                reason?: "hash_mismatch" | "prev_hash_mismatch" | "version_gap" | "wrong_session" | "unreadable" | "column_mismatch" | "position_order";
                                /** @enum {string} */
                                column?: "actor" | "entry_id" | "partition";
                            };
                            archive: {
                                ok: boolean;
                                events: number;
                                firstBadVersion?: number;
                                /** @enum {string} */
                                reason?: "hash_mismatch" | "prev_hash_mismatch" | "version_gap" | "wrong_session" | "unreadable" | "column_mismatch" | "position_order";
                                /** @enum {string} */
                                column?: "actor" | "entry_id" | "partition";
                            };
                            archiveBehind: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    sessionId?: string;
                    type?: string;
                    actor?: string;
                    from?: string;
                    to?: string;
                    after?: string;
                    format?: "ndjson" | "csv";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/push/vapid-public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployment's VAPID public key (base64url), for PushManager.subscribe */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            publicKey: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/push/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's subscriptions (an admin: every one) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscriptions: {
                                id: string;
                                /** @enum {string} */
                                channel: "webpush" | "expo" | "webhook";
                                owner: string;
                                endpoint?: string;
                                url?: string;
                                token?: string;
                                hasSecret: boolean;
                                events: ("permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed")[];
                                sessionIds: string[] | null;
                                createdAt: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Subscribe to pushes (Web Push, Expo) or a webhook
         * @description It fires for events after it was made, never for older history. Secrets (webhook secret, Web Push keys) are never shown again.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        channel: "webpush";
                        /** Format: uri */
                        endpoint: string;
                        keys: {
                            p256dh: string;
                            auth: string;
                        };
                        events?: ("permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed")[];
                        sessionIds?: string[];
                    } | {
                        /** @enum {string} */
                        channel: "expo";
                        token: string;
                        events?: ("permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed")[];
                        sessionIds?: string[];
                    } | {
                        /** @enum {string} */
                        channel: "webhook";
                        /** Format: uri */
                        url: string;
                        secret?: string;
                        events?: ("permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed")[];
                        sessionIds?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            channel: "webpush" | "expo" | "webhook";
                            owner: string;
                            endpoint?: string;
                            url?: string;
                            token?: string;
                            hasSecret: boolean;
                            events: ("permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed")[];
                            sessionIds: string[] | null;
                            createdAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/push/subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Unsubscribe */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            unsubscribed: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/push/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries of the caller's subscriptions, newest first */
        get: {
            parameters: {
                query?: {
                    sessionId?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deliveries: {
                                id: string;
                                subscriptionId: string;
                                /** @enum {string} */
                                channel: "webpush" | "expo" | "webhook";
                                sessionId: string;
                                promptId: string | null;
                                /** @enum {string} */
                                trigger: "permission_tool" | "permission_question" | "permission_plan" | "job_completed" | "job_failed";
                                /** @enum {string} */
                                status: "pending" | "sent" | "failed" | "suppressed" | "gone";
                                attempts: number;
                                lastError: string | null;
                                at: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/push-subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who subscribed and unsubscribed pushes, and which a push service removed (append-only) */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            entries: {
                                seq: number;
                                at: string;
                                actor: string;
                                /** @enum {string} */
                                action: "subscribed" | "unsubscribed" | "gone";
                                subscriptionId: string;
                                owner: string;
                                /** @enum {string} */
                                channel: "webpush" | "expo" | "webhook";
                                detail: {
                                    [key: string]: unknown;
                                };
                            }[];
                            next: number | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            tokens: {
                                name: string;
                                /** @enum {string} */
                                scope: "mobile" | "auditor" | "admin";
                                createdAt: string;
                                fingerprint: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /**
                         * @default mobile
                         * @enum {string}
                         */
                        scope?: "mobile" | "auditor" | "admin";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            /** @enum {string} */
                            scope: "mobile" | "auditor" | "admin";
                            createdAt: string;
                            fingerprint: string;
                            token: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/tokens/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            revoked: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/tools/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: "token" | "pair" | "events" | "projections" | "replay" | "restore" | "history" | "migrate";
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @default [] */
                        args?: string[];
                        /** @default false */
                        tty?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/history/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description History is per machine: these routes read the Claude Code transcripts of the host this api runs on (its CLAUDE_CONFIG_DIR). Sessions that ran on another machine keep their transcripts there; their conversation is in the session's events and messages routes. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            projects: {
                                projectPath: string;
                                sessionCount: number;
                                lastTimestamp: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/history/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description History is per machine: these routes read the Claude Code transcripts of the host this api runs on (its CLAUDE_CONFIG_DIR). Sessions that ran on another machine keep their transcripts there; their conversation is in the session's events and messages routes. */
        get: {
            parameters: {
                query?: {
                    projectPath?: string;
                    limit?: number;
                    offset?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessions: {
                                claudeSessionId: string;
                                projectPath: string | null;
                                title: string | null;
                                summary: string | null;
                                firstPrompt: string | null;
                                lastPrompt: string | null;
                                firstTimestamp: string | null;
                                lastTimestamp: string | null;
                                messageCount: number;
                                lineCount: number;
                                invalidLines: number;
                                unknownLines: number;
                                truncatedLines: number;
                                sizeBytes: number;
                                cliVersion: string | null;
                                gitBranch: string | null;
                            }[];
                            total: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/history/sessions/{claudeSessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description History is per machine: these routes read the Claude Code transcripts of the host this api runs on (its CLAUDE_CONFIG_DIR). Sessions that ran on another machine keep their transcripts there; their conversation is in the session's events and messages routes. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    claudeSessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            claudeSessionId: string;
                            projectPath: string | null;
                            title: string | null;
                            summary: string | null;
                            firstPrompt: string | null;
                            lastPrompt: string | null;
                            firstTimestamp: string | null;
                            lastTimestamp: string | null;
                            messageCount: number;
                            lineCount: number;
                            invalidLines: number;
                            unknownLines: number;
                            truncatedLines: number;
                            sizeBytes: number;
                            cliVersion: string | null;
                            gitBranch: string | null;
                            subagents: {
                                agentId: string | null;
                                toolUseId: string | null;
                                messageCount: number;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/history/sessions/{claudeSessionId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description History is per machine: these routes read the Claude Code transcripts of the host this api runs on (its CLAUDE_CONFIG_DIR). Sessions that ran on another machine keep their transcripts there; their conversation is in the session's events and messages routes. */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    before?: number;
                    thread?: "main" | "all";
                };
                header?: never;
                path: {
                    claudeSessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            messages: {
                                lineNo: number;
                                uuid: string | null;
                                parentUuid: string | null;
                                type: string;
                                subtype: string | null;
                                timestamp: string | null;
                                isSidechain: boolean;
                                isMeta: boolean;
                                agentId: string | null;
                                apiMessageId: string | null;
                                truncated: boolean;
                                bytes: number;
                                text: string;
                                content: components["schemas"]["ContentBlocks"];
                            }[];
                            hasMore: boolean;
                            nextBefore: number | null;
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live events of a session (Server-Sent Events)
         * @description First an `event: snapshot` (status, working state, queue, pending cancel), then every stored event after the cursor as a plain message whose `id` is its stream entry id (`0-<version>`), then live events. Cursor: `Last-Event-ID`, else `?after=` (`0` replays the whole session); none means live only. `event: delta` frames are ephemeral typing deltas without an id. `: ping` comments every 15 s. `event: error` (`slow_consumer`, `shutting_down`) precedes a close: reconnect with the last id. The same stream as JSON messages on `GET .../ws` (token in the Authorization header or a first message `{"token": ..., "after"?: id}`; with the header and no cursor, a first message `{"after": id}` within 1 s sets the cursor). At most 20 sockets per address may be waiting for their first message (else close 4429).
         */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    foreground?: "0" | "1" | "true" | "false";
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Server-Sent Events: `event: snapshot` first, then stored events (plain messages with `id: 0-<version>`), `event: delta` typing deltas, `event: error` before the stream ends */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["LiveSnapshot"] | components["schemas"]["LiveEvent"] | components["schemas"]["LiveDelta"] | components["schemas"]["LiveError"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/claude-code/sessions/{sessionId}/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live events of a session (WebSocket)
         * @description The stream of .../stream as JSON messages (LiveMessage). The token comes in the Authorization header or in a first message {"token", "after"?}; a cursor in ?after= or a first {"after": id} message. {"foreground": true|false} says whether the client shows the session now: while it does, the session's pushes are suppressed.
         */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    foreground?: "0" | "1" | "true" | "false";
                };
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Switching Protocols: the same stream as JSON messages (LiveMessage); the client may send {"after": id, "token"?} */
                101: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LiveMessage"];
                    };
                };
                /** @description A plain GET: this route speaks WebSocket only */
                426: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        SessionInput: {
            id: string;
            projectPath: string;
            machineId: string | null;
            machine: {
                id: string;
                name: string;
                online: boolean;
            } | null;
            context: string | null;
            /** @enum {string} */
            status: "active" | "inactive" | "archived";
            claudeDirectoryPath: string;
            claudeCodeSessionId: string | null;
            metadata: {
                [key: string]: unknown;
            };
            createdAt: string;
            updatedAt: string;
            lastAccessedAt: string;
            isWorking: boolean;
            currentJobId: string | null;
            lastJobStatus: ("completed" | "failed" | "cancelled") | null;
            pendingPermissions: number;
            permissionRules: string[];
            costUsd: number;
            activity: components["schemas"]["ActivityInput"] | null;
        };
        SessionWrittenInput: {
            id: string;
            projectPath: string;
            machineId: string | null;
            machine: {
                id: string;
                name: string;
                online: boolean;
            } | null;
            context: string | null;
            /** @enum {string} */
            status: "active" | "inactive" | "archived";
            claudeDirectoryPath: string;
            claudeCodeSessionId: string | null;
            metadata: {
                [key: string]: unknown;
            };
            createdAt: string;
            updatedAt: string;
            lastAccessedAt: string;
            isWorking: boolean;
            currentJobId: string | null;
            lastJobStatus: ("completed" | "failed" | "cancelled") | null;
            pendingPermissions: number;
            permissionRules: string[];
            costUsd: number;
            activity: components["schemas"]["ActivityInput"] | null;
            position: string | null;
        };
        SessionListInput: {
            sessions: components["schemas"]["SessionInput"][];
            total: number;
            limit: number;
            offset: number;
        };
        SessionDeletedInput: {
            /** @constant */
            success: true;
            sessionId: string;
            position: string | null;
        };
        PromptInput: {
            promptId: string;
            sessionId: string;
            messageId: string;
            prompt: string;
            /** @enum {string} */
            status: "queued" | "running" | "completed" | "failed" | "cancelled";
            queuePosition: number | null;
            jobId: string | null;
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            exitCode: number | null;
            costUsd: number | null;
            usage: {
                [key: string]: unknown;
            } | null;
            numTurns: number | null;
            durationMs: number | null;
            isError: boolean;
            error: string | null;
        };
        PromptListInput: {
            prompts: components["schemas"]["PromptInput"][];
        };
        PromptAcceptedInput: {
            promptId: string;
            messageId: string;
            sessionId: string;
            /** @enum {string} */
            status: "queued" | "running";
            queuePosition: number;
            steeringJobId: string | null;
            machineOnline: boolean | null;
            position: string | null;
        };
        PromptCancelledInput: {
            promptId: string;
            sessionId: string;
            /** @enum {string} */
            status: "cancelled" | "cancel_requested";
            position: string | null;
        };
        MessageInput: {
            id: string;
            sessionId: string;
            seq: number | null;
            /** @enum {string} */
            type: "user" | "assistant";
            /** @enum {string} */
            status: "queued" | "sent" | "cancelled";
            text: string;
            promptId: string | null;
            claudeSessionId: string | null;
            content: components["schemas"]["ContentBlocksInput"];
            createdAt: string;
        };
        ContentBlocksInput: {
            [key: string]: unknown;
        }[];
        ActivityInput: {
            /** @constant */
            kind: "model";
        } | {
            /** @constant */
            kind: "retrying";
            attempt: number;
            maxRetries: number;
            retryDelayMs: number;
        } | {
            /** @constant */
            kind: "compacting";
        } | {
            /** @constant */
            kind: "tool";
            toolName: string;
        } | {
            /** @constant */
            kind: "approval";
            requestId: string;
            toolName: string;
        };
        PermissionInput: {
            requestId: string;
            sessionId: string;
            promptId: string | null;
            jobId: string;
            toolName: string;
            input: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            kind: "tool" | "question" | "plan";
            /** @enum {string} */
            status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
            decision: ("allow" | "allow_always" | "deny") | null;
            requestedAt: string;
            decidedAt: string | null;
            decidedBy: string | null;
            message: string | null;
            answers: {
                [key: string]: string;
            } | null;
            suggestions: unknown[];
            description: string | null;
        };
        PermissionListInput: {
            permissions: components["schemas"]["PermissionInput"][];
        };
        PermissionDecidedInput: {
            requestId: string;
            sessionId: string;
            promptId: string | null;
            jobId: string;
            toolName: string;
            input: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            kind: "tool" | "question" | "plan";
            /** @enum {string} */
            status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
            decision: ("allow" | "allow_always" | "deny") | null;
            requestedAt: string;
            decidedAt: string | null;
            decidedBy: string | null;
            message: string | null;
            answers: {
                [key: string]: string;
            } | null;
            suggestions: unknown[];
            description: string | null;
            position: string | null;
        };
        MachineInput: {
            id: string;
            name: string;
            online: boolean;
            lastSeenAt: string;
            cliVersion: string | null;
            capacity: number;
            runningJobs: number;
        };
        MachineListInput: {
            machines: components["schemas"]["MachineInput"][];
        };
        MachineRepositoriesInput: {
            machineId: string;
            reposDirectory: string;
            repositories: {
                name: string;
                path: string;
            }[];
        };
        ProblemInput: {
            type: string;
            title: string;
            status: number;
            code: string;
            detail?: string;
            instance?: string;
            requestId: string;
        } & {
            [key: string]: unknown;
        };
        Session: {
            id: string;
            projectPath: string;
            machineId: string | null;
            machine: {
                id: string;
                name: string;
                online: boolean;
            } | null;
            context: string | null;
            /** @enum {string} */
            status: "active" | "inactive" | "archived";
            claudeDirectoryPath: string;
            claudeCodeSessionId: string | null;
            metadata: {
                [key: string]: unknown;
            };
            createdAt: string;
            updatedAt: string;
            lastAccessedAt: string;
            isWorking: boolean;
            currentJobId: string | null;
            lastJobStatus: ("completed" | "failed" | "cancelled") | null;
            pendingPermissions: number;
            permissionRules: string[];
            costUsd: number;
            activity: components["schemas"]["Activity"] | null;
        };
        SessionWritten: {
            id: string;
            projectPath: string;
            machineId: string | null;
            machine: {
                id: string;
                name: string;
                online: boolean;
            } | null;
            context: string | null;
            /** @enum {string} */
            status: "active" | "inactive" | "archived";
            claudeDirectoryPath: string;
            claudeCodeSessionId: string | null;
            metadata: {
                [key: string]: unknown;
            };
            createdAt: string;
            updatedAt: string;
            lastAccessedAt: string;
            isWorking: boolean;
            currentJobId: string | null;
            lastJobStatus: ("completed" | "failed" | "cancelled") | null;
            pendingPermissions: number;
            permissionRules: string[];
            costUsd: number;
            activity: components["schemas"]["Activity"] | null;
            position: string | null;
        };
        SessionList: {
            sessions: components["schemas"]["Session"][];
            total: number;
            limit: number;
            offset: number;
        };
        SessionDeleted: {
            /** @constant */
            success: true;
            sessionId: string;
            position: string | null;
        };
        Prompt: {
            promptId: string;
            sessionId: string;
            messageId: string;
            prompt: string;
            /** @enum {string} */
            status: "queued" | "running" | "completed" | "failed" | "cancelled";
            queuePosition: number | null;
            jobId: string | null;
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            exitCode: number | null;
            costUsd: number | null;
            usage: {
                [key: string]: unknown;
            } | null;
            numTurns: number | null;
            durationMs: number | null;
            isError: boolean;
            error: string | null;
        };
        PromptList: {
            prompts: components["schemas"]["Prompt"][];
        };
        PromptAccepted: {
            promptId: string;
            messageId: string;
            sessionId: string;
            /** @enum {string} */
            status: "queued" | "running";
            queuePosition: number;
            steeringJobId: string | null;
            machineOnline: boolean | null;
            position: string | null;
        };
        PromptCancelled: {
            promptId: string;
            sessionId: string;
            /** @enum {string} */
            status: "cancelled" | "cancel_requested";
            position: string | null;
        };
        Message: {
            id: string;
            sessionId: string;
            seq: number | null;
            /** @enum {string} */
            type: "user" | "assistant";
            /** @enum {string} */
            status: "queued" | "sent" | "cancelled";
            text: string;
            promptId: string | null;
            claudeSessionId: string | null;
            content: components["schemas"]["ContentBlocks"];
            createdAt: string;
        };
        ContentBlocks: {
            [key: string]: unknown;
        }[];
        Activity: {
            /** @constant */
            kind: "model";
        } | {
            /** @constant */
            kind: "retrying";
            attempt: number;
            maxRetries: number;
            retryDelayMs: number;
        } | {
            /** @constant */
            kind: "compacting";
        } | {
            /** @constant */
            kind: "tool";
            toolName: string;
        } | {
            /** @constant */
            kind: "approval";
            requestId: string;
            toolName: string;
        };
        Permission: {
            requestId: string;
            sessionId: string;
            promptId: string | null;
            jobId: string;
            toolName: string;
            input: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            kind: "tool" | "question" | "plan";
            /** @enum {string} */
            status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
            decision: ("allow" | "allow_always" | "deny") | null;
            requestedAt: string;
            decidedAt: string | null;
            decidedBy: string | null;
            message: string | null;
            answers: {
                [key: string]: string;
            } | null;
            suggestions: unknown[];
            description: string | null;
        };
        PermissionList: {
            permissions: components["schemas"]["Permission"][];
        };
        PermissionDecided: {
            requestId: string;
            sessionId: string;
            promptId: string | null;
            jobId: string;
            toolName: string;
            input: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            kind: "tool" | "question" | "plan";
            /** @enum {string} */
            status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
            decision: ("allow" | "allow_always" | "deny") | null;
            requestedAt: string;
            decidedAt: string | null;
            decidedBy: string | null;
            message: string | null;
            answers: {
                [key: string]: string;
            } | null;
            suggestions: unknown[];
            description: string | null;
            position: string | null;
        };
        Machine: {
            id: string;
            name: string;
            online: boolean;
            lastSeenAt: string;
            cliVersion: string | null;
            capacity: number;
            runningJobs: number;
        };
        MachineList: {
            machines: components["schemas"]["Machine"][];
        };
        MachineRepositories: {
            machineId: string;
            reposDirectory: string;
            repositories: {
                name: string;
                path: string;
            }[];
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            code: string;
            detail?: string;
            instance?: string;
            requestId: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A stored SessionCreated event, as the log holds it (hash-chained per session) */
        EventSessionCreated: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventSessionCreated";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                projectPath: string;
                claudeDirectoryPath: string;
                context: string | null;
                metadata: {
                    [key: string]: unknown;
                };
                machineId?: string;
                claudeSessionId?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored SessionUpdated event, as the log holds it (hash-chained per session) */
        EventSessionUpdated: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventSessionUpdated";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                context?: string | null;
                metadata?: {
                    [key: string]: unknown;
                };
                /** @enum {string} */
                status?: "active" | "inactive" | "archived";
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored SessionDeleted event, as the log holds it (hash-chained per session) */
        EventSessionDeleted: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventSessionDeleted";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                reason?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored ClaudeSessionLinked event, as the log holds it (hash-chained per session) */
        EventClaudeSessionLinked: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventClaudeSessionLinked";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                claudeSessionId: string;
                jobId: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored TurnsImported event, as the log holds it (hash-chained per session) */
        EventTurnsImported: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventTurnsImported";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                claudeSessionId: string;
                messages: {
                    uuid: string;
                    /** @enum {string} */
                    role: "user" | "assistant";
                    text: string;
                    content: {
                        [key: string]: unknown;
                    }[];
                    at: string | null;
                    apiMessageId: string | null;
                }[];
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored ConversationReset event, as the log holds it (hash-chained per session) */
        EventConversationReset: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventConversationReset";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                previousClaudeSessionId: string | null;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PromptEnqueued event, as the log holds it (hash-chained per session) */
        EventPromptEnqueued: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPromptEnqueued";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                promptId: string;
                messageId: string;
                prompt: string;
                projectPath: string;
                options?: {
                    model?: string;
                    permissionMode?: string;
                    allowedTools?: string[];
                    disallowedTools?: string[];
                    maxTurns?: number;
                };
                steerInto?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PromptSteered event, as the log holds it (hash-chained per session) */
        EventPromptSteered: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPromptSteered";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                promptId: string;
                jobId: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PromptCancelRequested event, as the log holds it (hash-chained per session) */
        EventPromptCancelRequested: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPromptCancelRequested";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                promptId: string;
                jobId: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PromptCancelled event, as the log holds it (hash-chained per session) */
        EventPromptCancelled: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPromptCancelled";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                promptId: string;
                reason: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored JobStarted event, as the log holds it (hash-chained per session) */
        EventJobStarted: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventJobStarted";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                promptId: string;
                runnerId: string;
                leaseMs: number;
                machineId?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored RunnerEventEmitted event, as the log holds it (hash-chained per session) */
        EventRunnerEventEmitted: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventRunnerEventEmitted";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                seq: number;
                kind: string;
                message: {
                    [key: string]: unknown;
                };
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored JobCompleted event, as the log holds it (hash-chained per session) */
        EventJobCompleted: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventJobCompleted";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                promptId: string;
                resultSubtype: string;
                isError: boolean;
                exitCode: number | null;
                costUsd?: number;
                usage?: {
                    [key: string]: unknown;
                };
                numTurns?: number;
                durationMs?: number;
                resultText?: string;
                jobCostUsd?: number;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored JobFailed event, as the log holds it (hash-chained per session) */
        EventJobFailed: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventJobFailed";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                promptId: string;
                reason: string;
                message?: string;
                exitCode?: number | null;
                signal?: string | null;
                stderrTail?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored JobCancelled event, as the log holds it (hash-chained per session) */
        EventJobCancelled: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventJobCancelled";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                promptId: string;
                exitCode?: number | null;
                signal?: string | null;
                jobCostUsd?: number;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PermissionRequested event, as the log holds it (hash-chained per session) */
        EventPermissionRequested: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPermissionRequested";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                requestId: string;
                toolName: string;
                input: {
                    [key: string]: unknown;
                };
                toolUseId?: string;
                /** @enum {string} */
                kind: "tool" | "question" | "plan";
                suggestions?: unknown[];
                description?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PermissionDecided event, as the log holds it (hash-chained per session) */
        EventPermissionDecided: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPermissionDecided";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                requestId: string;
                /** @enum {string} */
                behavior: "allow" | "deny";
                message?: string;
                updatedInput?: {
                    [key: string]: unknown;
                };
                always?: boolean;
                rules?: string[];
                answers?: {
                    [key: string]: string;
                };
                permissionMode?: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PermissionExpired event, as the log holds it (hash-chained per session) */
        EventPermissionExpired: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPermissionExpired";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                requestId: string;
                message: string;
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PermissionCancelled event, as the log holds it (hash-chained per session) */
        EventPermissionCancelled: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPermissionCancelled";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                jobId: string;
                requestId: string;
                /** @enum {string} */
                reason: "job_ended" | "cli_cancelled";
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored PermissionRulesSet event, as the log holds it (hash-chained per session) */
        EventPermissionRulesSet: {
            eventId: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "EventPermissionRulesSet";
            schemaVersion: number;
            sessionId: string;
            /** @description The event's place in its session: the stream entry id is 0-<version> */
            version: number;
            /** @description ISO 8601 */
            occurredAt: string;
            data: {
                rules: string[];
            };
            meta: {
                actor: string;
                correlationId: string;
                causationId: string | null;
                requestId: string | null;
            };
            prevHash: string;
            hash: string;
        };
        /** @description A stored event on the live stream */
        LiveEvent: components["schemas"]["EventSessionCreated"] | components["schemas"]["EventSessionUpdated"] | components["schemas"]["EventSessionDeleted"] | components["schemas"]["EventClaudeSessionLinked"] | components["schemas"]["EventTurnsImported"] | components["schemas"]["EventConversationReset"] | components["schemas"]["EventPromptEnqueued"] | components["schemas"]["EventPromptSteered"] | components["schemas"]["EventPromptCancelRequested"] | components["schemas"]["EventPromptCancelled"] | components["schemas"]["EventJobStarted"] | components["schemas"]["EventRunnerEventEmitted"] | components["schemas"]["EventJobCompleted"] | components["schemas"]["EventJobFailed"] | components["schemas"]["EventJobCancelled"] | components["schemas"]["EventPermissionRequested"] | components["schemas"]["EventPermissionDecided"] | components["schemas"]["EventPermissionExpired"] | components["schemas"]["EventPermissionCancelled"] | components["schemas"]["EventPermissionRulesSet"];
        /** @description A typing delta or a progress line of the running job (event: delta): ephemeral, never stored, no id */
        LiveDelta: {
            jobId: string;
            /** @description The CLI's stream-json line as printed (stream_event, system/status, ...) */
            line: Record<string, never>;
        };
        /** @description Where the session stands, sent first on every connect */
        LiveSnapshot: {
            sessionId: string;
            /** @description The session version the snapshot was folded up to */
            version: number;
            /** @enum {string} */
            state: "empty" | "open" | "deleted";
            sessionStatus: ("active" | "inactive" | "archived") | null;
            isWorking: boolean;
            currentJobId: string | null;
            currentPromptId: string | null;
            lastJobStatus: ("completed" | "failed" | "cancelled") | null;
            cancelPending: boolean;
            queue: {
                promptId: string;
                messageId: string;
                position: number;
            }[];
            pendingPermissions: {
                requestId: string;
                jobId: string;
                toolName: string;
                /** @enum {string} */
                kind: "tool" | "question" | "plan";
                input: {
                    [key: string]: unknown;
                };
                suggestions: unknown[];
                description: string | null;
            }[];
            permissionRules: string[];
            working: {
                jobId: string;
                activity: {
                    /** @constant */
                    kind: "model";
                } | {
                    /** @constant */
                    kind: "retrying";
                    attempt: number;
                    maxRetries: number;
                    retryDelayMs: number;
                } | {
                    /** @constant */
                    kind: "compacting";
                } | {
                    /** @constant */
                    kind: "tool";
                    toolName: string;
                } | {
                    /** @constant */
                    kind: "approval";
                    requestId: string;
                    toolName: string;
                };
                since: string;
                /** @description The answer being written, so far */
                reply: {
                    messageId: string | null;
                    text: string;
                } | null;
            } | null;
        };
        /** @description Why the stream ends (slow_consumer, revoked, ...) */
        LiveError: {
            code: string;
            message?: string;
        };
        /** @description A WebSocket message: {type: snapshot, snapshot} | {type: event, id, event} | {type: delta, delta} | {type: error, ...} */
        LiveMessage: {
            /** @constant */
            type: "snapshot";
            snapshot: components["schemas"]["LiveSnapshot"];
        } | {
            /** @constant */
            type: "event";
            id: string;
            event: components["schemas"]["LiveEvent"];
        } | {
            /** @constant */
            type: "delta";
            delta: components["schemas"]["LiveDelta"];
        } | {
            /** @constant */
            type: "error";
            code: string;
            message?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
