(function_definition declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name) body: (compound_statement) @body) @definition.function
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (_) @name)) body: (compound_statement) @body) @definition.function
(function_definition declarator: [(pointer_declarator (function_declarator declarator: (_) @name)) (reference_declarator (function_declarator declarator: (_) @name))] body: (compound_statement) @body) @definition.function
(declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method
(class_specifier name: (type_identifier) @name body: (field_declaration_list) @body) @definition.class
(struct_specifier name: (type_identifier) @name body: (field_declaration_list) @body) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(namespace_definition name: (_) @name body: (declaration_list) @body) @definition.module
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(preproc_def name: (identifier) @name value: (_)) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(enumerator name: (identifier) @name) @definition.variant
(field_declaration declarator: (field_identifier) @name) @definition.field

(preproc_include) @import
