import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class DevTokenRequestDto {
  @ApiProperty({ example: 'alice', description: 'The user id the token is for (its `sub`).' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  sub!: string;

  @ApiPropertyOptional({ example: ['admin'], description: 'Roles, carried as `cognito:groups`.', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { each: true, message: 'each role must be a lower-case name' })
  roles?: string[];

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({
    example: ['holdfast/analytics.read'],
    description: "OAuth scopes, carried as the space-delimited `scope` claim (as a Cognito machine client's access token).",
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$/, { each: true, message: 'each scope must be a resource-server scope name' })
  scopes?: string[];
}

export class DevTokenResponseDto {
  @ApiProperty({ description: 'A bearer token: send it as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: string;

  @ApiProperty({ example: 86400, description: 'Seconds until the token expires.' })
  expiresIn!: number;
}
