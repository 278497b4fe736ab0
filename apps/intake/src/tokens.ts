export const INTAKE_CONFIG = Symbol('IntakeConfig');
